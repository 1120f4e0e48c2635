import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** SQuAD v1.1 dev lives in ../shared beside the project (never copied into the repo). */
export const SQUAD_PATH = fileURLToPath(new URL("../../../shared/data/squad/dev-v1.1.json", import.meta.url));

export interface SquadParagraph {
  id: string;
  title: string;
  context: string;
  questions: Array<{ question: string; answers: string[] }>;
}

interface SquadFile {
  data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ question: string; answers: Array<{ text: string }> }> }> }>;
}

/** Every paragraph of the dev set (2,067), with an id like `squad-<article>-<paragraph>`. */
export async function loadSquadParagraphs(path = SQUAD_PATH): Promise<SquadParagraph[]> {
  const file = JSON.parse(await readFile(path, "utf8")) as SquadFile;
  return file.data.flatMap((article, articleIndex) =>
    article.paragraphs.map((paragraph, paragraphIndex) => ({
      id: `squad-${articleIndex}-${paragraphIndex}`,
      title: article.title.replace(/_/g, " "),
      context: paragraph.context,
      questions: paragraph.qas.map((qa) => ({ question: qa.question, answers: qa.answers.map((answer) => answer.text) })),
    })),
  );
}
