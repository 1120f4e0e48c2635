import { apiKey } from "./api.js";
import { el } from "./dom.js";
import { statusLine } from "./panel.js";

/**
 * The API key form: the key the user types is kept in sessionStorage (this tab only; gone when the
 * tab closes) and sent as `Authorization: Bearer`; never put in a URL. `onChange` runs after Save/Forget.
 */
export function keyForm(onChange: () => void): HTMLElement {
  const input = el("input", { type: "password", id: "api-key", autocomplete: "off", spellcheck: "false" });
  input.value = apiKey.get();
  const status = statusLine();
  const describe = () => status.info(apiKey.get() ? "Key kept in this tab's session storage." : "No key: fine when the server requires none.");
  const form = el("form", { class: "key-form", "aria-label": "Authentication" }, [
    el("label", { for: "api-key" }, ["API key"]),
    input,
    el("button", { type: "submit" }, ["Use key"]),
    el("button", { type: "reset" }, ["Forget key"]),
    status.element,
  ]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apiKey.set(input.value.trim());
    describe();
    onChange();
  });
  form.addEventListener("reset", (event) => {
    event.preventDefault();
    input.value = "";
    apiKey.set("");
    describe();
    onChange();
  });
  describe();
  return form;
}
