// @ts-check
/**
 * Enforces runboard's layering with Nx project tags, the way `@nx/enforce-module-boundaries`
 * does: a project may import a workspace package only if the target's tags satisfy the
 * source's constraint. (`@nx/eslint-plugin` is not published at the workspace's pinned Nx
 * version, so this rule reads the same `nx.tags` from each project's package.json.)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const workspaceRoot = join(import.meta.dirname, '..', '..');

/** @returns {Map<string, { name: string, root: string, tags: string[] }>} */
function readProjects() {
  const projects = new Map();
  for (const group of ['packages', 'apps', 'tools']) {
    const groupDir = join(workspaceRoot, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of readdirSync(groupDir)) {
      const manifest = join(groupDir, entry, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
      projects.set(pkg.name, {
        name: pkg.name,
        root: join(groupDir, entry),
        tags: pkg.nx?.tags ?? [],
      });
    }
  }
  return projects;
}

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Workspace imports must follow the Nx tag constraints (layers point down).',
    },
    schema: [
      {
        type: 'object',
        properties: {
          depConstraints: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                sourceTag: { type: 'string' },
                onlyDependOnLibsWithTags: { type: 'array', items: { type: 'string' } },
              },
              required: ['sourceTag', 'onlyDependOnLibsWithTags'],
            },
          },
          testOnlyTags: { type: 'array', items: { type: 'string' } },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      notAllowed:
        'A project tagged "{{sourceTag}}" may not import "{{target}}" (tags: {{targetTags}}); allowed: {{allowed}}.',
      testOnly:
        '"{{target}}" is for tests only: import it from test, bench or script files, not from library code.',
      relativeEscape:
        'Import "{{target}}" reaches into another project; import it by package name.',
    },
  },
  create(context) {
    const projects = readProjects();
    const constraints = context.options[0]?.depConstraints ?? [];
    const testOnlyTags = context.options[0]?.testOnlyTags ?? [];
    const file = context.filename;
    const source = [...projects.values()].find((project) => file.startsWith(project.root + sep));
    if (!source) return {};

    /** @param {import('estree').Node} node @param {string} specifier */
    function check(node, specifier) {
      if (specifier.startsWith('.')) {
        const resolved = join(dirname(file), specifier);
        const other = [...projects.values()].find(
          (project) => project !== source && !relative(project.root, resolved).startsWith('..'),
        );
        if (other)
          context.report({ node, messageId: 'relativeEscape', data: { target: specifier } });
        return;
      }
      const packageName = specifier.startsWith('@')
        ? specifier.split('/').slice(0, 2).join('/')
        : specifier.split('/')[0];
      const target = projects.get(packageName);
      if (!target || target === source) return;
      if (target.tags.some((tag) => testOnlyTags.includes(tag)) && !isTestSide(source, file)) {
        context.report({ node, messageId: 'testOnly', data: { target: packageName } });
      }
      for (const constraint of constraints) {
        if (!source.tags.includes(constraint.sourceTag)) continue;
        if (!target.tags.some((tag) => constraint.onlyDependOnLibsWithTags.includes(tag))) {
          context.report({
            node,
            messageId: 'notAllowed',
            data: {
              sourceTag: constraint.sourceTag,
              target: packageName,
              targetTags: target.tags.join(', ') || '(none)',
              allowed: constraint.onlyDependOnLibsWithTags.join(', '),
            },
          });
        }
      }
    }

    return {
      ImportDeclaration(node) {
        check(node, String(node.source.value));
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, String(node.source.value));
      },
      ExportAllDeclaration(node) {
        check(node, String(node.source.value));
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal') check(node, String(node.source.value));
      },
    };
  },
};

/** Whether `file` is a test, benchmark or script of `project` rather than its library code. */
function isTestSide(project, file) {
  const path = relative(project.root, file).split(sep).join('/');
  return /(^|\/)(test|bench|scripts)\//.test(path) || /\.test\.ts$/.test(path);
}
