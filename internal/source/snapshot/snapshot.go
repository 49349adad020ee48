// Package snapshot saves what a live scan collected as versioned JSON and reads it back, so that a
// scan can be evaluated again offline, with no AWS access, and give the same results.
package snapshot

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

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
func Save(path string, tool finding.Tool, inv *model.Inventory) error {
	return fileio.WriteAtomic(path, func(w io.Writer) error { return Write(w, tool, inv) })
}

// Load reads and validates a snapshot file.
func Load(path string) (*model.Inventory, error) {
	data, err := os.ReadFile(path)
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
