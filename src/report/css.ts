/** The report's style sheet (also the dashboard's, which loads it without the chart renderer). */
export const REPORT_CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fafafa; }
main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
header h1 { margin: 8px 0 2px; font-size: 22px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.muted { color: #666; }
.note { color: #555; font-size: 12.5px; margin: 4px 0; }
table { border-collapse: collapse; margin: 8px 0; background: #fff; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; font-variant-numeric: tabular-nums; }
th { background: #f0f0f0; font-weight: 600; }
table.small { font-size: 12.5px; }
td.path { font-family: monospace; font-size: 11px; color: #666; max-width: 280px; overflow-wrap: anywhere; }
tr.sig td:first-child { font-weight: 600; }
figure.chart { background: #fff; border: 1px solid #e4e4e4; margin: 12px 0; padding: 10px; overflow-x: auto; }
figure.chart svg { width: 100%; max-width: 1000px; height: auto; }
figure.chart .chart-view:empty { min-height: 120px; }
figcaption { font-size: 12.5px; color: #444; margin-top: 6px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; font-size: 12px; }
.badge.ok { background: #d7f0d7; color: #1c5e1c; } .badge.bad { background: #f7d4d4; color: #8a1c1c; } .badge.muted { background: #eee; color: #555; }
.warnings { background: #fff6e0; border: 1px solid #f0d590; padding: 4px 12px; margin-top: 12px; }
ul.sentences li.note { list-style: none; }
p.choice { margin: 6px 0; }
code { font-size: 12px; }
.flag { white-space: nowrap; }
`;
