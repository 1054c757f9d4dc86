// The frame of every answer page: one language, one h1, inline styles only (the CSP allows nothing else).
import type { Locale } from '../core/model';
import { html, SafeHtml } from './html';

// Contrast (WCAG AA and better): body text #2b2b2b on white 14:1; links and buttons #2f5d50 on white, and
// white on #2f5d50, 7.5:1; muted text #595959 on the page background 6:1; errors #a4262c on white 7:1.
// The focus ring is dark and offset, so it stands out on white, on the beige background and around buttons.
const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3efe9; color: #2b2b2b; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 1.0625rem; line-height: 1.6; }
.page { max-width: 38rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
.practice { margin: 0 0 1rem; font-family: Georgia, "Times New Roman", serif; font-size: 1.25rem; color: #2f5d50; }
main { background: #fff; border-radius: 8px; padding: 1.5rem; }
h1 { margin: 0 0 1rem; font-size: 1.6rem; line-height: 1.25; color: #1f3d35; }
h2 { margin: 0 0 .5rem; font-size: 1.15rem; }
p { margin: 0 0 1rem; }
a { color: #2f5d50; text-decoration: underline; text-underline-offset: 2px; }
a:hover { color: #1f3d35; }
.button { display: inline-block; min-height: 44px; padding: .7rem 1.3rem; border: 2px solid #2f5d50; border-radius: 6px; background: #2f5d50; color: #fff; font: inherit; font-weight: 600; text-decoration: none; cursor: pointer; }
.button:hover { background: #1f3d35; border-color: #1f3d35; color: #fff; }
:focus-visible { outline: 3px solid #1a1a1a; outline-offset: 3px; }
fieldset { margin: 0 0 1.5rem; padding: 0; border: 0; }
legend { margin-bottom: .5rem; padding: 0; font-weight: 600; }
.choice { display: flex; align-items: center; gap: .6rem; margin: 0 0 .4rem; }
.choice input { width: 1.4rem; height: 1.4rem; margin: 0; accent-color: #2f5d50; }
.choice label { padding: .2rem 0; }
label.field { display: block; margin-bottom: .25rem; font-weight: 600; }
.hint { margin: 0 0 .5rem; color: #595959; }
textarea { display: block; width: 100%; min-height: 8rem; margin-bottom: 1.5rem; padding: .6rem; border: 2px solid #595959; border-radius: 4px; font: inherit; color: inherit; background: #fff; }
.invalid textarea { border-color: #a4262c; }
.error { margin: 0 0 .5rem; color: #a4262c; font-weight: 600; }
.error-summary { margin: 0 0 1.5rem; padding: 1rem; border: 3px solid #a4262c; border-radius: 4px; }
.error-summary ul { margin: 0; padding-left: 1.2rem; }
.error-summary a { color: #a4262c; font-weight: 600; }
.other-language { margin-top: 1.5rem; padding-top: 1rem; border-top: 1px solid #d9d4cc; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
`;
// A constant of this file, never data: inserted as is.
const STYLE_SHEET = new SafeHtml(STYLE);

export interface LayoutOptions {
  lang: Locale;
  /** The page's <title> (the h1 is part of `content`). */
  title: string;
  practiceName: string | null;
  content: SafeHtml;
}

export function layout(options: LayoutOptions): string {
  const title = options.practiceName ? `${options.title} – ${options.practiceName}` : options.title;
  return html`<!DOCTYPE html>
<html lang="${options.lang}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${STYLE_SHEET}</style>
</head>
<body>
<div class="page">
${options.practiceName ? html`<p class="practice">${options.practiceName}</p>` : null}
<main>
${options.content}
</main>
</div>
</body>
</html>
`.value;
}
