export { checkTemplates, compileTemplate, CONTEXT_ROOTS } from './compile.ts';
export { compileCondition, conditionProblem } from './condition.ts';
export type { CompiledTemplate, Render, RenderContext, TemplateProblem } from './compile.ts';
export { HELPER_NAMES, uuid } from './helpers.ts';
export type { TemplateServices } from './helpers.ts';
export { createTemplateServices, partServices } from './services.ts';
export { hasUnwritableBraces, literalTemplate } from './literal.ts';
export { mayRead } from './reads.ts';
