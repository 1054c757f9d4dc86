// Renders every template in every locale, with full and minimal sample data, into artifacts/gallery for people to read.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LiquidTemplateRenderer } from '../functions/src/adapters/liquid/LiquidTemplateRenderer';
import { fullSampleContext, minimalSampleContext } from '../functions/src/adapters/liquid/sampleContexts';
import { LOCALES, TEMPLATE_IDS } from '../functions/src/core/model';

const outDir = path.resolve(process.cwd(), 'artifacts', 'gallery');
mkdirSync(outDir, { recursive: true });
const renderer = new LiquidTemplateRenderer();
const rows: string[] = [];

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

for (const templateId of TEMPLATE_IDS) {
  for (const locale of LOCALES) {
    for (const variant of ['full', 'minimal'] as const) {
      const context =
        variant === 'full' ? fullSampleContext(locale, templateId) : minimalSampleContext(locale, templateId);
      const email = await renderer.render(templateId, locale, context);
      const base = variant === 'full' ? `${templateId}.${locale}` : `${templateId}.${locale}.minimal`;
      writeFileSync(path.join(outDir, `${base}.html`), email.html);
      writeFileSync(path.join(outDir, `${base}.txt`), `Subject: ${email.subject}\n\n${email.text}`);
      rows.push(
        `<tr><td>${templateId}</td><td>${locale}</td><td>${variant}</td><td>${escapeHtml(email.subject)}</td>` +
          `<td><a href="${base}.html">html</a> · <a href="${base}.txt">text</a></td></tr>`,
      );
    }
  }
}

writeFileSync(
  path.join(outDir, 'index.html'),
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Reengage template gallery</title></head>
<body style="font-family:Arial, sans-serif;"><h1>Reengage template gallery</h1>
<table cellpadding="6" border="1" style="border-collapse:collapse;"><tr><th>template</th><th>locale</th><th>sample</th><th>subject</th><th>files</th></tr>
${rows.join('\n')}
</table></body></html>\n`,
);
console.log(`${rows.length} emails rendered into ${path.relative(process.cwd(), outDir)}/`);
