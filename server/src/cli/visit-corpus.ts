import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateVisitCorpus, serializeVisitCorpus } from '../modules/visits/risk/corpus-generator';

/** `npm run corpus:visits`: regenerates server/test/fixtures/visit-corpus.json (deterministic: same seed, same bytes). */
export const VISIT_CORPUS_FILE = resolve(__dirname, '../../test/fixtures/visit-corpus.json');

const corpus = generateVisitCorpus();
writeFileSync(VISIT_CORPUS_FILE, serializeVisitCorpus(corpus));
const count = (label: string) => corpus.cases.filter((c) => c.label === label).length;
process.stdout.write(`已写入 ${corpus.cases.length} 个用例（真实 ${count('genuine')}，作弊 ${count('cheat')}）：server/test/fixtures/visit-corpus.json\n`);
