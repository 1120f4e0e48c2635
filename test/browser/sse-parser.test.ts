import { describe, expect, it } from "vitest";
import { createSseParser, type ServerSentEvent } from "../../src/console/sse.js";

function parse(chunks: string[]): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  const parser = createSseParser((event) => events.push(event));
  for (const chunk of chunks) parser.feed(chunk);
  parser.end();
  return events;
}

describe("console SSE parser", () => {
  const stream = 'event: retrieval\ndata: {"hits":[]}\n\nevent: delta\ndata: {"text":"Kiwis "}\n\n: a comment\n\nevent: done\ndata: {"ok":true}\n\n';
  const expected = [
    { event: "retrieval", data: '{"hits":[]}' },
    { event: "delta", data: '{"text":"Kiwis "}' },
    { event: "done", data: '{"ok":true}' },
  ];

  it("reads named events and skips comments", () => {
    expect(parse([stream])).toEqual(expected);
  });

  it("gives the same events however the stream is split, even one character at a time", () => {
    expect(parse(stream.split(""))).toEqual(expected);
    expect(parse([stream.slice(0, 17), stream.slice(17, 40), stream.slice(40)])).toEqual(expected);
  });

  it("accepts CRLF and CR line ends, including a CRLF split across chunks", () => {
    expect(parse(["event: delta\r", "\ndata: a\r\n\r\n", "data: b\r\r"])).toEqual([
      { event: "delta", data: "a" },
      { event: "message", data: "b" },
    ]);
  });

  it("joins multi-line data with newlines and dispatches a last event without its blank line at the end", () => {
    expect(parse(["data: one\ndata: two\n\ndata:three"])).toEqual([
      { event: "message", data: "one\ntwo" },
      { event: "message", data: "three" },
    ]);
  });
});
