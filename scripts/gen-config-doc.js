// Writes docs/configuration.md from the option table in src/config/options.ts (via dist/).
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { OPTIONS } = await import(path.join(root, 'dist/src/config/options.js'));
const rows = OPTIONS.map((o) => `| \`${o.env}\` | \`${o.flag}\` | \`${o.key}\` | ${o.key === 'slots' ? 'cores' : o.optional ? 'unset' : `\`${o.default}\``} | ${o.doc} |`);
const doc = `# Configuration

Generated from \`src/config/options.ts\` by \`node scripts/gen-config-doc.js\`; do not edit by hand.

Settings are resolved once at start, in this order (later wins): built-in defaults, a JSON config
file (\`--config FILE\` or \`VERDICT_CONFIG\`, keys as in the third column), environment variables,
command-line flags. An invalid value stops the process with a message naming the setting.

| environment | flag | config key | default | meaning |
|---|---|---|---|---|
${rows.join('\n')}
`;
fs.writeFileSync(path.join(root, 'docs/configuration.md'), doc);
