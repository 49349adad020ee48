package yamledit

import (
	"fmt"
	"strings"

	"github.com/eksguard/eksguard/internal/model"
)

// KVs lists the settings as key-value pairs, by the names the format spells them with (names maps
// each field the format can write to its key). Fields the format has no name for come back in
// missing, in the order Settings lists them.
func KVs(want model.Settings, names map[model.Field]string) (kvs []KV, missing []model.Field) {
	for _, f := range want.Fields() {
		name, ok := names[f]
		if !ok {
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
		kvs = append(kvs, KV{Key: name, Value: v})
	}
	return kvs, missing
}

// Describe says in words what a fix sets.
func Describe(where string, kvs []KV) string {
	parts := make([]string, len(kvs))
	for i, kv := range kvs {
		switch v := kv.Value.(type) {
		case []string:
			parts[i] = fmt.Sprintf("%s to [%s]", kv.Key, strings.Join(v, ", "))
		default:
			parts[i] = fmt.Sprintf("%s to %v", kv.Key, v)
		}
	}
	return "set " + strings.Join(parts, ", ") + " in " + where
}
