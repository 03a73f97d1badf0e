import { TerraformStack, Testing } from 'cdktf';

/** A synthesised Terraform stack as JSON, with helpers to find resources. */
export class TfJson {
  public static of(stack: TerraformStack): TfJson {
    return new TfJson(JSON.parse(Testing.synth(stack)));
  }

  constructor(public readonly json: any) {}

  /** Every resource of a type, as [name, config] pairs. */
  public resources(type: string): Array<[string, any]> {
    return Object.entries(this.json.resource?.[type] ?? {});
  }

  /** The one resource of a type; fails if there is not exactly one. */
  public only(type: string): any {
    const r = this.resources(type);
    if (r.length !== 1) throw new Error(`expected one ${type}, found ${r.length}`);
    return r[0][1];
  }

  public dataSources(type: string): Array<[string, any]> {
    return Object.entries(this.json.data?.[type] ?? {});
  }

  /** Every resource in the stack as [type, name, config]. */
  public all(): Array<[string, string, any]> {
    const out: Array<[string, string, any]> = [];
    for (const [type, byName] of Object.entries<any>(this.json.resource ?? {})) {
      for (const [name, cfg] of Object.entries<any>(byName)) out.push([type, name, cfg]);
    }
    return out;
  }
}
