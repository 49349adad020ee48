package yamledit

import (
	"fmt"
	"strings"

	"github.com/eksguard/eksguard/internal/model"
)

// KVs lists the settings as key-value pairs, by the names the format spells them with. names maps
// each field the format can write to its path below the mapping the edit starts from: "a.b" is key b
// of mapping a, and "a[].k" a list of mappings a with one {k: item} for each item of a list setting
// (CloudFormation's EnabledTypes: [{Type: api}, ...]). Settings below the same mapping share one KV, in
// the order Settings lists them. Fields the format has no name for come back in missing.
func KVs(want model.Settings, names map[model.Field]string) (kvs []KV, missing []model.Field) {
	for _, f := range want.Fields() {
		name, ok := names[f]
		if !ok || name == "" {
			missing = append(missing, f)
			continue
		}
		var v any
		switch f {
		case model.FieldEndpointPublicAccess:
			v = *want.EndpointPublicAccess
		case model.FieldEndpointPrivateAccess:
			v = *want.EndpointPrivateAccess
		case model.FieldPublicAccessCIDRs:
			v = append([]string{}, want.PublicAccessCIDRs...)
		case model.FieldEnabledLogTypes:
			v = append([]string{}, want.EnabledLogTypes...)
		case model.FieldAuthenticationMode:
			v = *want.AuthenticationMode
		case model.FieldSecretsKeyARN:
			v = *want.SecretsKeyARN
		}
		kvs = put(kvs, name, v)
	}
	return kvs, missing
}

// put sets value v at path in kvs, inside the mapping an earlier pair already opened when there is one.
func put(kvs []KV, path string, v any) []KV {
	head, rest, deeper := strings.Cut(path, ".")
	if key, ok := strings.CutSuffix(head, "[]"); ok && deeper {
		items := []string{fmt.Sprint(v)}
		if l, ok := v.([]string); ok {
			items = l
		}
		list := make([][]KV, len(items))
		for i, s := range items {
			list[i] = put(nil, rest, s)
		}
		return append(kvs, KV{Key: key, Value: list})
	}
	if !deeper {
		return append(kvs, KV{Key: head, Value: v})
	}
	for i := range kvs {
		if sub, ok := kvs[i].Value.([]KV); ok && kvs[i].Key == head {
			kvs[i].Value = put(sub, rest, v)
			return kvs
		}
	}
	return append(kvs, KV{Key: head, Value: put(nil, rest, v)})
}

// Describe says in words what a fix sets: every value by its dotted path, below the deepest mapping
// all of them share, which is named with path (where the edit starts) in "in ... of what".
func Describe(path []string, what string, kvs []KV) string {
	type leaf struct {
		path  []string
		value any
	}
	var leaves []leaf
	var walk func(prefix []string, kvs []KV)
	walk = func(prefix []string, kvs []KV) {
		for _, kv := range kvs {
			p := append(append([]string{}, prefix...), kv.Key)
			switch v := kv.Value.(type) {
			case []KV:
				walk(p, v)
			case Item:
				p[len(p)-1] = fmt.Sprintf("%s[%d]", kv.Key, v.Index)
				walk(p, v.KVs)
			default:
				leaves = append(leaves, leaf{p, v})
			}
		}
	}
	walk(nil, kvs)
	// The shared mapping: leading keys every leaf has, never a leaf's own key.
	common := 0
	for len(leaves) > 0 && common < len(leaves[0].path)-1 {
		k, same := leaves[0].path[common], true
		for _, l := range leaves[1:] {
			same = same && common < len(l.path)-1 && l.path[common] == k
		}
		if !same {
			break
		}
		common++
	}
	parts := make([]string, len(leaves))
	for i, l := range leaves {
		parts[i] = strings.Join(l.path[common:], ".") + " to " + describeValue(l.value)
	}
	where := what
	if len(leaves) > 0 {
		if in := append(append([]string{}, path...), leaves[0].path[:common]...); len(in) > 0 {
			where = strings.Join(in, ".") + " of " + what
		}
	}
	return "set " + strings.Join(parts, ", ") + " in " + where
}

func describeValue(v any) string {
	switch v := v.(type) {
	case []string:
		return "[" + strings.Join(v, ", ") + "]"
	case []KV:
		parts := make([]string, len(v))
		for i, kv := range v {
			parts[i] = kv.Key + ": " + describeValue(kv.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case [][]KV:
		parts := make([]string, len(v))
		for i, m := range v {
			parts[i] = describeValue(m)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}
