/** The nested view behind `agentos fs tree`, built from public SDK calls only. */
import { posix } from 'node:path';
import type { AgentFs } from '../index.js';
import { printable } from './format.js';
import { fileTypeName } from '../vfs/constants.js';

export interface TreeNode {
  name: string;
  type: string;
  target?: string;
  children?: TreeNode[];
}

export interface TreeCounts {
  directories: number;
  files: number;
  symlinks: number;
  other: number;
}

/** The subtree at `path`, `depth` levels deep (Infinity for all); symlinks are not followed. */
export async function buildTree(fs: AgentFs, path: string, depth: number): Promise<TreeNode> {
  const st = await fs.lstat(path);
  const node: TreeNode = { name: path, type: fileTypeName(st.mode) };
  if (st.isSymbolicLink()) node.target = await fs.readlink(path);
  if (st.isDirectory()) node.children = await children(fs, path, depth);
  return node;
}

async function children(fs: AgentFs, dir: string, depth: number): Promise<TreeNode[]> {
  const nodes: TreeNode[] = [];
  for (const d of await fs.readdir(dir, { withFileTypes: true })) {
    const path = posix.join(dir, d.name);
    const node: TreeNode = { name: d.name, type: fileTypeName(d.mode) };
    if (d.isSymbolicLink()) node.target = await fs.readlink(path);
    // Past the depth limit a directory has no `children` at all: not the same as an empty one.
    if (d.isDirectory() && depth > 1) node.children = await children(fs, path, depth - 1);
    nodes.push(node);
  }
  return nodes;
}

/** Lines drawn like tree(1): `├── name`, `│   └── name`, `link -> target`. */
export function drawTree(root: TreeNode): string[] {
  const lines = [label(root)];
  const walk = (nodes: TreeNode[], indent: string): void => {
    nodes.forEach((node, i) => {
      const last = i === nodes.length - 1;
      lines.push(`${indent}${last ? '└── ' : '├── '}${label(node)}`);
      if (node.children) walk(node.children, indent + (last ? '    ' : '│   '));
    });
  };
  walk(root.children ?? [], '');
  return lines;
}

function label(node: TreeNode): string {
  return printable(node.name) + (node.target === undefined ? '' : ` -> ${printable(node.target)}`);
}

/** What is below the root (the root itself not counted), for the summary line. */
export function countTree(root: TreeNode): TreeCounts {
  const counts: TreeCounts = { directories: 0, files: 0, symlinks: 0, other: 0 };
  const walk = (nodes: TreeNode[]): void => {
    for (const node of nodes) {
      if (node.type === 'directory') counts.directories++;
      else if (node.type === 'file') counts.files++;
      else if (node.type === 'symlink') counts.symlinks++;
      else counts.other++;
      if (node.children) walk(node.children);
    }
  };
  walk(root.children ?? []);
  return counts;
}

export function summary(c: TreeCounts): string {
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  const parts = [plural(c.directories, 'directory', 'directories'), plural(c.files, 'file', 'files')];
  if (c.symlinks > 0) parts.push(plural(c.symlinks, 'symlink', 'symlinks'));
  if (c.other > 0) parts.push(plural(c.other, 'other', 'others'));
  return parts.join(', ');
}
