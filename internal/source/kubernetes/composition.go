package kubernetes

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A Composition (apiextensions.crossplane.io/v1) declares the managed resources Crossplane composes
// for a composite: in Resources mode as spec.resources[], in Pipeline mode as the resources[] of each
// step whose input is function-patch-and-transform's Resources (pt.fn.crossplane.io). Each entry has
// a base (the managed resource as written) and patches that copy values from the composite or the
// environment into it when it is rendered. An EKS Cluster entry is read from its base like a lone
// managed resource; a setting that a patch writes (at, below or above its path) is unknown, naming
// the patch, since its value comes from each composite.

// patchWrites are the patch types that write into the composed resource. ToCompositeFieldPath and
// its kin write into the composite instead; PatchSet is expanded from the Composition's patchSets.
var patchWrites = map[string]bool{
	"FromCompositeFieldPath": true, "FromEnvironmentFieldPath": true,
	"CombineFromComposite": true, "CombineFromEnvironment": true,
}

// compositionEntry is one resource of a Composition, with the patch sets it can name.
type compositionEntry struct {
	index     string // where the entry is (spec.resources[2], spec.pipeline[0].input.resources[1])
	node      *yaml.Node
	patchSets *yaml.Node
}

// readComposition returns the EKS Cluster entries of a Composition as objects.
func readComposition(o *object) []*object {
	comp := str(get(o.root, "metadata", "name"))
	if comp == "" {
		comp = fmt.Sprintf("at line %d", getKey(o.root, "kind").Line)
	}
	var entries []compositionEntry
	if rs := get(o.root, "spec", "resources"); rs != nil && rs.Kind == yaml.SequenceNode {
		for i, e := range rs.Content {
			entries = append(entries, compositionEntry{fmt.Sprintf("spec.resources[%d]", i), e, get(o.root, "spec", "patchSets")})
		}
	}
	if steps := get(o.root, "spec", "pipeline"); steps != nil && steps.Kind == yaml.SequenceNode {
		for i, step := range steps.Content {
			in := get(step, "input")
			group, _, _ := strings.Cut(str(get(in, "apiVersion")), "/")
			if group != groupPT || str(get(in, "kind")) != "Resources" {
				continue
			}
			rs := get(in, "resources")
			if rs == nil || rs.Kind != yaml.SequenceNode {
				continue
			}
			for j, e := range rs.Content {
				entries = append(entries, compositionEntry{fmt.Sprintf("spec.pipeline[%d].input.resources[%d]", i, j), e, get(in, "patchSets")})
			}
		}
	}
	var out []*object
	for _, e := range entries {
		base := get(e.node, "base")
		if base == nil || base.Kind != yaml.MappingNode {
			continue
		}
		group, version, kind := typeOf(base)
		if kind != "Cluster" || !isCrossplaneCluster(group) {
			continue
		}
		name := str(get(e.node, "name"))
		at := firstNode(getKey(e.node, "name"), getKey(base, "kind"))
		if name == "" {
			name = e.index
		}
		c := &object{file: o.file, doc: o.doc, root: base, group: group, version: version, kind: kind}
		if !supported(group, version) {
			o.problems = append(o.problems, unsupported(o.file.Name, getKey(base, "apiVersion"), kind, group, version))
			continue
		}
		c.xp = newXP(group, version)
		c.xp.in = fmt.Sprintf("Composition %s resource %s", comp, name)
		c.xp.patches = entryPatches(e)
		c.readAs(comp+"/"+name, at)
		out = append(out, c)
	}
	return out
}

// entryPatches are the patches of an entry that write into its resource, PatchSets expanded.
func entryPatches(e compositionEntry) []xpPatch {
	var out []xpPatch
	var add func(list *yaml.Node, set string)
	add = func(list *yaml.Node, set string) {
		if list == nil || list.Kind != yaml.SequenceNode {
			return
		}
		for i, p := range list.Content {
			typ := str(get(p, "type"))
			if typ == "" {
				typ = "FromCompositeFieldPath"
			}
			if typ == "PatchSet" && set == "" {
				name := str(get(p, "patchSetName"))
				if ps := e.patchSets; ps != nil && ps.Kind == yaml.SequenceNode {
					for _, s := range ps.Content {
						if str(get(s, "name")) == name {
							add(get(s, "patches"), name)
						}
					}
				}
				continue
			}
			if !patchWrites[typ] {
				continue
			}
			to, node := str(get(p, "toFieldPath")), getKey(p, "toFieldPath")
			if to == "" {
				// Crossplane writes to the same path it reads from when toFieldPath is left out.
				to, node = str(get(p, "fromFieldPath")), getKey(p, "fromFieldPath")
			}
			if to == "" {
				continue
			}
			what := fmt.Sprintf("the %s patch", typ)
			if from := str(get(p, "fromFieldPath")); from != "" {
				what += " from " + from
			} else if vars := get(p, "combine", "variables"); vars != nil && vars.Kind == yaml.SequenceNode {
				var froms []string
				for _, v := range vars.Content {
					froms = append(froms, str(get(v, "fromFieldPath")))
				}
				what += " of " + strings.Join(froms, ", ")
			}
			if set != "" {
				what += fmt.Sprintf(" (patch %d of PatchSet %s)", i, set)
			}
			out = append(out, xpPatch{to: fieldPath(to), what: what, node: firstNode(node, p)})
		}
	}
	add(get(e.node, "patches"), "")
	return out
}

// fieldPath splits a Crossplane field path (spec.forProvider.vpcConfig[0].subnetIds,
// metadata.labels[app.kubernetes.io/name]) into its field names, dropping list indexes: eksguard's
// settings are at most one object deep in a list of one.
func fieldPath(p string) []string {
	var out []string
	for p != "" {
		switch {
		case p[0] == '.':
			p = p[1:]
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 { // Crossplane rejects it; the part before is still written
				return out
			}
			seg := strings.Trim(p[1:end], `"'`)
			if strings.TrimLeft(seg, "0123456789") != "" || seg == "" {
				out = append(out, seg)
			}
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			out = append(out, p[:end])
			p = p[end:]
		}
	}
	return out
}
