/** The values `{{port}}`, `{{replica}}`, `{{name}}`, `{{instance}}` take for one replica. */
export interface TemplateValues {
  port: number | null;
  replica: number;
  name: string;
  instance: string;
}

/**
 * Fill the placeholders of `text` (the config schema rejects unknown ones).
 * @example fillTemplate('--port={{port}}', { port: 4101, replica: 1, name: 'api', instance: 'api#1' }) // '--port=4101'
 * @example fillTemplate('{{port}}', { port: null, … }) // '' — no port was configured or picked
 */
export function fillTemplate(text: string, values: TemplateValues): string {
  return text.replace(/\{\{\s*([a-zA-Z]+)\s*\}\}/g, (whole, name: string) => {
    const value = values[name as keyof TemplateValues];
    return value === undefined ? whole : value === null ? '' : String(value);
  });
}

/** True when any of the texts uses `{{port}}`, so a replica needs a port. */
export function usesPort(texts: Iterable<string>): boolean {
  for (const text of texts) if (/\{\{\s*port\s*\}\}/.test(text)) return true;
  return false;
}
