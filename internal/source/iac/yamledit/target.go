package yamledit

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/eksguard/eksguard/internal/cidrset"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// ValidateTarget rejects a target no fix can aim for: an unknown mode, or a restrict target without
// CIDR blocks, with entries that are not CIDR blocks, or that admits the whole internet.
func ValidateTarget(tg iac.Target) error {
	switch tg.Mode {
	case iac.TargetPrivate:
		return nil
	case iac.TargetRestrict:
		if len(tg.CIDRs) == 0 {
			return errors.New("the restrict target needs at least one CIDR block")
		}
		set, err := cidrset.Parse(tg.CIDRs)
		if err != nil {
			return fmt.Errorf("restrict target: %w", err)
		}
		if set.Open() {
			return errors.New("the restrict target admits the whole internet, which is what it is meant to prevent")
		}
		return nil
	}
	return fmt.Errorf("unknown fix target %q (want %s or %s)", tg.Mode, iac.TargetPrivate, iac.TargetRestrict)
}

// Wanted lists the settings that must change for c to reach the target, by name as the format spells
// them; a setting already known to have the wanted value is left alone. It is empty when nothing needs
// to change, and an error when the target would loosen the cluster (restricting one that is already
// private-only).
func Wanted(tg iac.Target, c *model.Cluster, public, private, cidrs string) ([]KV, error) {
	pub, priv := c.EndpointPublicAccess, c.EndpointPrivateAccess
	is := func(b model.Bool, v bool) bool { return b.Known() && b.Value == v }
	var kvs []KV
	if !is(priv, true) {
		kvs = append(kvs, KV{Key: private, Value: true})
	}
	switch tg.Mode {
	case iac.TargetPrivate:
		if !is(pub, false) {
			kvs = append(kvs, KV{Key: public, Value: false})
		}
	case iac.TargetRestrict:
		if is(pub, false) && is(priv, true) {
			return nil, errors.New("the public endpoint is already off, which is stricter than the restrict target; nothing to change")
		}
		if !is(pub, true) {
			kvs = append(kvs, KV{Key: public, Value: true})
		}
		if !c.PublicAccessCIDRs.Known() || !sameSet(c.PublicAccessCIDRs.Values, tg.CIDRs) {
			kvs = append(kvs, KV{Key: cidrs, Value: append([]string{}, tg.CIDRs...)})
		}
	}
	return kvs, nil
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
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
