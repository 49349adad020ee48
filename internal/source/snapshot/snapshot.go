// Package snapshot saves what a live scan collected as versioned JSON and reads it back, so that a
// scan can be evaluated again offline, with no AWS access, and give the same results.
package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/eksguard/eksguard/internal/fileio"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// Version is the snapshot format version. Readers refuse versions they do not know.
const Version = "1"

// Snapshot is the file format.
type Snapshot struct {
	SnapshotVersion string           `json:"snapshotVersion"`
	Tool            finding.Tool     `json:"tool"`
	Inventory       *model.Inventory `json:"inventory"`
}

// Write saves an inventory.
func Write(w io.Writer, tool finding.Tool, inv *model.Inventory) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(Snapshot{SnapshotVersion: Version, Tool: tool, Inventory: inv})
}

// Save writes an inventory to a file atomically.
func Save(ctx context.Context, path string, tool finding.Tool, inv *model.Inventory) error {
	return fileio.WriteFile(ctx, path, func(w io.Writer) error { return Write(w, tool, inv) })
}

// MaxSize is the largest snapshot read: far above the ~3 KB a cluster takes, so an organization of
// a hundred thousand clusters still loads, and far below what would exhaust memory.
const MaxSize = 1 << 30

// Load reads and validates a snapshot file. Only a regular file is read.
func Load(path string) (*model.Inventory, error) {
	data, err := fileio.ReadFile(path, MaxSize)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	return Parse(path, data)
}

// Parse validates snapshot bytes; name is used in error messages.
func Parse(name string, data []byte) (*model.Inventory, error) {
	var s Snapshot
	if err := fileio.DecodeJSONStrict(name, data, &s); err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	if s.SnapshotVersion != Version {
		if s.SnapshotVersion == "" {
			return nil, fmt.Errorf("read snapshot: %s: not an eksguard snapshot (no snapshotVersion)", name)
		}
		return nil, fmt.Errorf("read snapshot: %s: snapshotVersion %q is not supported (this eksguard reads %q)", name, s.SnapshotVersion, Version)
	}
	if s.Inventory == nil {
		return nil, fmt.Errorf("read snapshot: %s: no inventory", name)
	}
	inv := s.Inventory
	for i, c := range inv.Clusters {
		if c == nil {
			return nil, fmt.Errorf("read snapshot: %s: cluster %d is null", name, i)
		}
		if c.Name == "" {
			return nil, fmt.Errorf("read snapshot: %s: cluster %d has no name", name, i)
		}
		for field, o := range map[string]model.Origin{"endpointPublicAccess": c.EndpointPublicAccess.Origin, "endpointPrivateAccess": c.EndpointPrivateAccess.Origin, "publicAccessCidrs": c.PublicAccessCIDRs.Origin} {
			switch o {
			case model.OriginExplicit, model.OriginDefault, model.OriginUnknown:
			default:
				return nil, fmt.Errorf("read snapshot: %s: cluster %q: %s has origin %q (want explicit, default or unknown)", name, c.Name, field, o)
			}
		}
	}
	if err := checkValues(name, data, inv); err != nil {
		return nil, err
	}
	if inv.Clusters == nil {
		inv.Clusters = []*model.Cluster{}
	}
	if inv.Errors == nil {
		inv.Errors = []model.Error{}
	}
	if inv.Skipped == nil {
		inv.Skipped = []model.Skip{}
	}
	return inv, nil
}

// settings are the members of a cluster that carry a value and its origin, with the key that holds
// the value.
var settings = []struct{ field, key string }{
	{"endpointPublicAccess", "value"},
	{"endpointPrivateAccess", "value"},
	{"publicAccessCidrs", "values"},
}

// checkValues refuses a setting whose origin says it is known (explicit or default) but that carries
// no value: Go would read the missing boolean as false and the missing list as empty, and a check
// would judge a value nobody recorded. eksguard never writes such a setting, so it is corruption.
func checkValues(name string, data []byte, inv *model.Inventory) error {
	var shadow struct {
		Inventory struct {
			Clusters []map[string]json.RawMessage `json:"clusters"`
		} `json:"inventory"`
	}
	if err := json.Unmarshal(data, &shadow); err != nil {
		return fmt.Errorf("read snapshot: %s: %w", name, err)
	}
	for i, raw := range shadow.Inventory.Clusters {
		if i >= len(inv.Clusters) {
			break
		}
		c := inv.Clusters[i]
		for _, s := range settings {
			var members map[string]json.RawMessage
			if r, ok := raw[s.field]; ok {
				_ = json.Unmarshal(r, &members)
			}
			origin := ""
			if o, ok := members["origin"]; ok {
				_ = json.Unmarshal(o, &origin)
			}
			if origin == "" || origin == string(model.OriginUnknown) {
				continue
			}
			v, ok := members[s.key]
			if !ok || string(v) == "null" {
				return fmt.Errorf("read snapshot: %s: cluster %q: %s has origin %q but no %s", name, c.Name, s.field, origin, s.key)
			}
		}
	}
	return nil
}
