/**
 * Command-line flags in a page's text ("twin seeds --vary", "more runs with
 * --n") kept on one line: a browser may break a line after a hyphen, which
 * left "--" at the end of one line and "vary" at the start of the next. Each
 * flag in a text node is wrapped in `<span class="flag">` (white-space:
 * nowrap, css.ts), also after a quote escaped as `&quot;`; tags, attributes,
 * scripts (the charts' specs) and styles are left as they are, and the text
 * reads and copies the same.
 */
const FLAG = /(^|[\s(["'`;])(--[a-z][a-z0-9-]*(?:=[^\s<,;)\]]*)?)/g;

/** The page's HTML with every flag in its text nodes wrapped so that it does not break. */
export function keepFlagsWhole(html: string): string {
  return html.replace(/<script\b[\s\S]*?<\/script>|<style\b[\s\S]*?<\/style>|<[^>]*>|[^<]+/g, (part) =>
    part.startsWith("<") ? part : part.replace(FLAG, (_m, before: string, flag: string) => `${before}<span class="flag">${flag}</span>`),
  );
}
