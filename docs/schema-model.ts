/**
 * The config reference as data: walks the zod schemas of the canonical file and of the
 * stack settings and returns one row per key, with its type in words, whether it is
 * required, its default, and the description and examples the schema carries in `.meta()`.
 * `docs/generate.ts` renders it; `tests/unit/docs.test.ts` checks the example config
 * and the examples against it.
 *
 * Only the zod node types the schemas use are understood; any other stops the walk with
 * the key's path, so a schema change the reference cannot describe fails loudly.
 */
import { z } from "zod";

/** What a schema says about itself in `.meta()`; the keys ClawLab's schemas use. */
export interface DocMeta {
  /** A reusable value type's name (`name`, `version`, a secret ref), shown instead of the derived type. */
  readonly title?: string;
  readonly description?: string;
  /** Example values, as the file would hold them. */
  readonly examples?: readonly unknown[];
  /** A default that is not a constant, in words (`the runtime's`). */
  readonly defaultText?: string;
}

/** One key of the reference. */
export interface KeyDoc {
  /** Dotted path with table wildcards: `runtimes.<name>.port`; a stack key is `clawlab:<key>`. */
  readonly path: string;
  readonly type: string;
  /** `yes`, `no`, or `yes (slack)` for a key of some variants of a union. */
  readonly required: string;
  /** The default value (undefined when none). */
  readonly default?: { readonly value: unknown };
  /** The default in words, when it is not a constant. */
  readonly defaultText?: string;
  readonly description: string;
  readonly examples: readonly unknown[];
  /** The variants it belongs to, when not all (`type = discord`). */
  readonly only?: string;
  /** The key's own schema, to check the examples against. */
  readonly schema: z.ZodType;
}

/** One table of the canonical file (`[fleet]`, `[runtimes.<name>]`). */
export interface SectionDoc {
  /** `fleet`, `hosts.<name>`. */
  readonly path: string;
  readonly description: string;
  /** For a table of tables: what `<name>` may be. */
  readonly keyRule?: string;
  readonly required: boolean;
  readonly default?: { readonly value: unknown };
  readonly keys: readonly KeyDoc[];
}

/** A value type shown by its title, and the rule it stands for. */
export interface ValueTypeDoc {
  readonly title: string;
  readonly rule: string;
}

export interface ReferenceModel {
  /** The canonical schema's own description. */
  readonly description: string;
  readonly sections: readonly SectionDoc[];
  /** The stack settings' own description. */
  readonly stackDescription: string;
  /** The stack settings' Pulumi config namespace. */
  readonly namespace: string;
  readonly stackKeys: readonly KeyDoc[];
  readonly valueTypes: readonly ValueTypeDoc[];
}

type Def = { readonly type: string } & Record<string, any>;

function defOf(schema: z.ZodType): Def {
  return schema.def as unknown as Def;
}

function metaOf(schema: z.ZodType): DocMeta {
  return (z.globalRegistry.get(schema) ?? {}) as DocMeta;
}

/** A key's schema without its optional/default wrappers, with what they said. */
interface Unwrapped {
  readonly inner: z.ZodType;
  readonly optional: boolean;
  readonly default?: { readonly value: unknown };
  /** Every wrapper's meta merged, the outermost winning. */
  readonly meta: DocMeta;
}

function unwrap(schema: z.ZodType): Unwrapped {
  let inner = schema;
  let optional = false;
  let dflt: { value: unknown } | undefined;
  let meta: DocMeta = {};
  for (;;) {
    meta = { ...metaOf(inner), ...meta };
    const def = defOf(inner);
    if (def.type === "optional") optional = true;
    else if (def.type === "default") dflt ??= { value: structuredClone(def.defaultValue) };
    else return { inner, optional, default: dflt, meta };
    inner = def.innerType as z.ZodType;
  }
}

/** The words of a check's custom error, `must be X` → `X`; undefined without one. */
function ruleWords(error: unknown): string | undefined {
  if (typeof error !== "function") return undefined;
  let message: unknown;
  try {
    message = error({});
  } catch {
    return undefined;
  }
  if (typeof message !== "string") return undefined;
  return message.replace(/^must be /, "").replace(/^must look like /, "like ");
}

type CheckDef = { readonly check: string } & Record<string, any>;

function checksOf(schema: z.ZodType): CheckDef[] {
  return ((defOf(schema).checks ?? []) as { _zod: { def: CheckDef } }[]).map((c) => c._zod.def);
}

/** A string's rule in words: its pattern (as its error words it), format and length. */
function stringRule(schema: z.ZodType, where: string): string | undefined {
  const def = defOf(schema);
  const parts: string[] = [];
  if (def.format !== undefined) {
    parts.push(ruleWords(def.error) ?? def.format);
  }
  let min: number | undefined;
  let max: number | undefined;
  for (const check of checksOf(schema)) {
    if (check.check === "string_format" && check.format === "regex") {
      parts.push(ruleWords(check.error) ?? `matching \`${String(check.pattern)}\``);
    } else if (check.check === "min_length") min = check.minimum;
    else if (check.check === "max_length") max = check.maximum;
    else throw new Error(`${where}: string check "${check.check}" is not described by docs/schema-model.ts`);
  }
  if (min !== undefined && max !== undefined) parts.push(`${min}-${max} characters`);
  else if (min === 1) parts.push("not empty");
  else if (min !== undefined) parts.push(`at least ${min} characters`);
  else if (max !== undefined) parts.push(`at most ${max} characters`);
  return parts.length > 0 ? parts.join("; ") : undefined;
}

/** A number's rule in words: integer or not, and its range. */
function numberType(schema: z.ZodType, where: string): string {
  let integer = false;
  let low: { value: number; inclusive: boolean } | undefined;
  let high: { value: number; inclusive: boolean } | undefined;
  for (const check of checksOf(schema)) {
    if (check.check === "number_format") integer ||= /int/.test(String(check.format));
    else if (check.check === "greater_than") low = { value: check.value, inclusive: check.inclusive };
    else if (check.check === "less_than") high = { value: check.value, inclusive: check.inclusive };
    else throw new Error(`${where}: number check "${check.check}" is not described by docs/schema-model.ts`);
  }
  const kind = integer ? "integer" : "number";
  if (low?.inclusive && high?.inclusive) return `${kind} ${low.value}-${high.value}`;
  if (low && !low.inclusive && low.value === 0 && !high) return `positive ${kind}`;
  const bounds = [
    low && `${low.inclusive ? ">=" : ">"} ${low.value}`,
    high && `${high.inclusive ? "<=" : "<"} ${high.value}`,
  ].filter(Boolean);
  return bounds.length > 0 ? `${kind} ${bounds.join(", ")}` : kind;
}

function code(value: string): string {
  return `\`${value}\``;
}

/** Walks schemas into rows, collecting the titled value types on the way. */
class Walker {
  readonly valueTypes = new Map<string, string>();

  /** The type of a schema (wrappers already removed), in words. */
  typeOf(schema: z.ZodType, meta: DocMeta, where: string): string {
    const def = defOf(schema);
    if (meta.title !== undefined) {
      if (def.type === "string") {
        const rule = stringRule(schema, where);
        if (rule !== undefined) this.valueTypes.set(meta.title, rule);
      }
      return meta.title;
    }
    switch (def.type) {
      case "string": {
        const rule = stringRule(schema, where);
        return rule === undefined ? "string" : `string — ${rule}`;
      }
      case "number":
        return numberType(schema, where);
      case "boolean":
        return "boolean";
      case "enum":
        return `one of ${Object.values(def.entries as Record<string, string>).map(code).join(", ")}`;
      case "literal":
        return (def.values as unknown[]).map((v) => code(JSON.stringify(v))).join(" or ");
      case "array":
        return this.arrayType(schema, where);
      case "record": {
        const key = unwrap(def.keyType as z.ZodType);
        const value = unwrap(def.valueType as z.ZodType);
        return `map: ${this.typeOf(key.inner, key.meta, `${where} (keys)`)} → ${this.typeOf(value.inner, value.meta, `${where}.*`)}`;
      }
      default:
        throw new Error(`${where}: zod type "${def.type}" is not described by docs/schema-model.ts; give it a .meta({ title })`);
    }
  }

  private arrayType(schema: z.ZodType, where: string): string {
    const def = defOf(schema);
    const item = unwrap(def.element as z.ZodType);
    const itemType = this.typeOf(item.inner, item.meta, `${where}.*`);
    let list: string;
    if (item.meta.title !== undefined) list = `list of ${item.meta.title}s`;
    else if (itemType.startsWith("string — ")) list = `list of strings, each ${itemType.slice("string — ".length)}`;
    else if (itemType.startsWith("one of ")) list = `list, each ${itemType}`;
    else list = `list of ${itemType}`;
    const extra: string[] = [];
    for (const check of checksOf(schema)) {
      if (check.check === "min_length") extra.push(`at least ${check.minimum} ${check.minimum === 1 ? "item" : "items"}`);
      else if (check.check === "max_length") extra.push(`at most ${check.maximum} items`);
      else if (check.check === "custom") continue; // a refinement: its key's description says what it wants
      else throw new Error(`${where}: array check "${check.check}" is not described by docs/schema-model.ts`);
    }
    return extra.length > 0 ? `${list} (${extra.join("; ")})` : list;
  }

  /** One key's row. */
  key(path: string, field: z.ZodType, only?: string): KeyDoc {
    const u = unwrap(field);
    const { description, examples = [], defaultText } = u.meta;
    if (description === undefined) {
      throw new Error(`${path}: no description; add .meta({ description }) to its schema`);
    }
    return {
      path,
      type: this.typeOf(u.inner, u.meta, path),
      required: u.optional || u.default !== undefined ? "no" : "yes",
      default: u.default,
      defaultText,
      description,
      examples,
      only,
      schema: field,
    };
  }

  /** The rows of an object's keys, or of the merged variants of a union of objects. */
  keys(prefix: string, schema: z.ZodType): KeyDoc[] {
    const def = defOf(schema);
    if (def.type === "object") {
      return Object.entries(def.shape as Record<string, z.ZodType>).map(([k, field]) => this.key(`${prefix}.${k}`, field));
    }
    if (def.type === "union" && typeof def.discriminator === "string") return this.variantKeys(prefix, def);
    throw new Error(`${prefix}: expected a table, found zod type "${def.type}"`);
  }

  /** A discriminated union's keys: each once; a key some variants lack says which have it. */
  private variantKeys(prefix: string, def: Def): KeyDoc[] {
    const discriminator = def.discriminator as string;
    const variants = (def.options as z.ZodType[]).map((option) => {
      const shape = defOf(option).shape as Record<string, z.ZodType>;
      const tag = defOf(unwrap(shape[discriminator]!).inner).values[0] as string;
      return { tag, shape };
    });
    const names = [...new Set(variants.flatMap((v) => Object.keys(v.shape)))];
    return names.map((k) => {
      const path = `${prefix}.${k}`;
      const having = variants.filter((v) => k in v.shape);
      if (k === discriminator) {
        const first = this.key(path, having[0]!.shape[k]!);
        const tags = variants.map((v) => v.tag);
        return {
          ...first,
          type: `one of ${tags.map(code).join(", ")}`,
          examples: tags,
          schema: z.enum(tags as [string, ...string[]]),
        };
      }
      const rows = having.map((v) => this.key(path, v.shape[k]!));
      const first = rows[0]!;
      if (having.length === variants.length) {
        const required = rows.every((r) => r.required === "yes") ? "yes" : "no";
        return { ...first, required };
      }
      const tags = having.map((v) => v.tag).join(", ");
      return { ...first, required: first.required === "yes" ? `yes (${tags})` : "no", only: `${discriminator} = ${tags}` };
    });
  }
}

/** What a table key may be, for `[runtimes.<name>]`: a title or an enum. */
function keyRule(walker: Walker, keyType: z.ZodType, where: string): string {
  const key = unwrap(keyType);
  return walker.typeOf(key.inner, key.meta, `${where} (keys)`);
}

/**
 * The reference model of both schemas.
 * @param canonical the canonical file's schema (an object of tables and tables of tables)
 * @param stack the stack settings' schema (an object of keys)
 * @param namespace the stack settings' Pulumi config namespace (the project name)
 */
export function referenceModel(canonical: z.ZodType, stack: z.ZodType, namespace: string): ReferenceModel {
  const walker = new Walker();
  const top = unwrap(canonical);
  const shape = defOf(top.inner).shape as Record<string, z.ZodType>;
  const sections = Object.entries(shape).map(([name, field]): SectionDoc => {
    const u = unwrap(field);
    const def = defOf(u.inner);
    const description = u.meta.description ?? metaOf(def.valueType ?? u.inner).description;
    if (description === undefined) throw new Error(`${name}: no description; add .meta({ description }) to its schema`);
    const required = !u.optional && u.default === undefined;
    if (def.type === "record") {
      const path = `${name}.<name>`;
      return {
        path,
        description,
        keyRule: keyRule(walker, def.keyType as z.ZodType, path),
        required,
        default: u.default,
        keys: walker.keys(path, unwrap(def.valueType as z.ZodType).inner),
      };
    }
    return { path: name, description, required, default: u.default, keys: walker.keys(name, u.inner) };
  });

  const stackTop = unwrap(stack);
  const stackShape = defOf(stackTop.inner).shape as Record<string, z.ZodType>;
  const stackKeys = Object.entries(stackShape).map(([k, field]) => walker.key(`${namespace}:${k}`, field));

  return {
    description: top.meta.description ?? "",
    sections,
    stackDescription: stackTop.meta.description ?? "",
    namespace,
    stackKeys,
    valueTypes: [...walker.valueTypes].map(([title, rule]) => ({ title, rule })),
  };
}
