// Apart from the renderers, so the CLI can declare `--format` without loading them.
export const OUTPUT_FORMATS = ['table', 'json', 'sarif', 'html', 'junit', 'markdown', 'github', 'asff', 'ocsf'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
