/** GET a JSON document from the dashboard under measurement (no keep-alive: each request on its own connection, as a fresh page makes it). */
import { get } from "node:http";

export function getJson(url: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) =>
    get(url, { agent: false }, (r) => {
      let text = "";
      r.on("data", (c: Buffer) => (text += c.toString()));
      r.on("end", () => resolve(JSON.parse(text) as Record<string, unknown>));
    }).on("error", reject),
  );
}
