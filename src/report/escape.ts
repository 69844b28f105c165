/** Text as HTML: the five characters that HTML gives a meaning escaped (a module of its own: the dashboard's server thread needs it without the report's page code). */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
