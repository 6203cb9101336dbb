// One finding of validation: what every check reports and every report format prints.

export type Severity = 'error' | 'warning' | 'info';

/** One problem with one object. */
export interface Finding {
  readonly severity: Severity;
  /** The rule id: `schema-unknown-field`, `service-selector`, `img-tag`, ... */
  readonly rule: string;
  /** `Kind/namespace/name` (namespace empty when not set); `document N` when there is no object. */
  readonly object: string;
  /** The file the object came from. */
  readonly file: string;
  /** The 0-based index of the document in the file. */
  readonly doc?: number;
  /** The 1-based line the document starts on. */
  readonly line?: number;
  /** JSON pointer of the field to blame, when one field is. */
  readonly path?: string;
  readonly message: string;
}
