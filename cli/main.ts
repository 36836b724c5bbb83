/** The `datamove` command: parses arguments and calls the modules; nothing else lives here. */
export async function main(argv: string[]): Promise<number> {
  console.log(`datamove ${argv.join(' ')}`);
  return 0;
}
