/** Names an operator's processor (and derived names), overriding the generated `KSTREAM-...-<n>` name. */
export class Named {
  private constructor(readonly name: string) {}

  static as(name: string): Named {
    if (!name) throw new TypeError('Named.as: name must not be empty');
    return new Named(name);
  }
}
