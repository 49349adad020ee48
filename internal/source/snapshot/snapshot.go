// Package snapshot saves what a live scan collected as versioned JSON and reads it back, so that a
// scan can be evaluated again offline, with no AWS access, and give the same results.
package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/eksguard/eksguard/internal/fileio"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// Version is the snapshot format version written. Readers refuse versions they do not know.
//
// Version 2 added each cluster's enabledLogTypes, authenticationMode and secretsKeyArn. Version 1 is
// still read: its clusters get those three as unknown, since eksguard did not read them then.
// Version 3 added what was read beyond DescribeCluster (the inventory's and each cluster's parts:
// node groups, instances, subnets, node roles, add-ons, load balancers) and the ECR registries.
// Versions 1 and 2 are still read: they hold no parts, so the controls that need them are UNKNOWN.
// Version 4 added what was read from each cluster's Kubernetes API (the kubernetes and kubelet
// parts, a cluster's "kubernetes" object) and clusters read through a kubeconfig; version 3 holds
// none of it, so the Kubernetes controls are UNKNOWN on it.
const Version = "4"

// versions are the versions Parse reads.
var versions = []string{"1", "2", "3", Version}

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
	if !slices.Contains(versions, s.SnapshotVersion) {
		if s.SnapshotVersion == "" {
			return nil, fmt.Errorf("read snapshot: %s: not an eksguard snapshot (no snapshotVersion)", name)
		}
		return nil, fmt.Errorf("read snapshot: %s: snapshotVersion %q is not supported (this eksguard reads %s)", name, s.SnapshotVersion, quoted(versions))
	}
	v1 := s.SnapshotVersion == "1"
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
		if v1 {
			fromV1(c)
		}
		if c.Source.KubeOnly() {
			// Read through a kubeconfig: no AWS setting was read, and no check reads one.
			continue
		}
		for _, f := range origins(c) {
			switch f.origin {
			case model.OriginExplicit, model.OriginDefault, model.OriginUnknown:
			case "":
				return nil, fmt.Errorf("read snapshot: %s: cluster %q has no %s (a version %s snapshot records it for every cluster)", name, c.Name, f.field, s.SnapshotVersion)
			default:
				return nil, fmt.Errorf("read snapshot: %s: cluster %q: %s has origin %q (want explicit, default or unknown)", name, c.Name, f.field, f.origin)
			}
		}
	}
	for i, r := range inv.Registries {
		switch {
		case r == nil:
			return nil, fmt.Errorf("read snapshot: %s: registry %d is null", name, i)
		case r.Account == "" || r.Region == "":
			return nil, fmt.Errorf("read snapshot: %s: registry %d has no account or region", name, i)
		}
		switch r.ScanType.Origin {
		case model.OriginExplicit, model.OriginDefault, model.OriginUnknown:
		default:
			if len(r.Errors) == 0 {
				return nil, fmt.Errorf("read snapshot: %s: registry of %s in %s: scanType has origin %q (want explicit, default or unknown)", name, r.Account, r.Region, r.ScanType.Origin)
			}
		}
		for _, p := range []model.Part{model.PartRegistry} {
			if !inv.Parts.Has(p) {
				return nil, fmt.Errorf("read snapshot: %s: registries are recorded but the inventory's parts do not include %s", name, p)
			}
		}
	}
	if err := checkValues(name, data, inv, v1); err != nil {
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

// quoted lists versions for a message: "1" and "2".
func quoted(list []string) string {
	q := make([]string, len(list))
	for i, v := range list {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, " and ")
}

// fromV1 marks the settings a version 1 snapshot does not hold as unknown. Whatever the file says of
// them is set aside: no eksguard that wrote version 1 read them from AWS.
func fromV1(c *model.Cluster) {
	before := func(reads string) string {
		return "the snapshot is version 1, saved before eksguard read " + reads + "; scan the cluster again to judge it"
	}
	c.EnabledLogTypes = model.UnknownList(before("logging.clusterLogging"))
	c.AuthenticationMode = model.UnknownString(before("accessConfig.authenticationMode"))
	c.SecretsKeyARN = model.UnknownString(before("encryptionConfig"))
}

type fieldOrigin struct {
	field  string
	origin model.Origin
}

// origins lists every setting of a cluster with its origin, in the model's order.
func origins(c *model.Cluster) []fieldOrigin {
	return []fieldOrigin{
		{"endpointPublicAccess", c.EndpointPublicAccess.Origin},
		{"endpointPrivateAccess", c.EndpointPrivateAccess.Origin},
		{"publicAccessCidrs", c.PublicAccessCIDRs.Origin},
		{"enabledLogTypes", c.EnabledLogTypes.Origin},
		{"authenticationMode", c.AuthenticationMode.Origin},
		{"secretsKeyArn", c.SecretsKeyARN.Origin},
	}
}

// settings are the members of a cluster that carry a value and its origin, with the key that holds
// the value; v2 marks those version 1 snapshots do not have.
var settings = []struct {
	field, key string
	v2         bool
}{
	{"endpointPublicAccess", "value", false},
	{"endpointPrivateAccess", "value", false},
	{"publicAccessCidrs", "values", false},
	{"enabledLogTypes", "values", true},
	{"authenticationMode", "value", true},
	{"secretsKeyArn", "value", true},
}

// checkValues refuses a setting whose origin says it is known (explicit or default) but that carries
// no value: Go would read the missing boolean as false, the missing list as empty and the missing
// text as "" (no key: a failure nobody recorded), and a check would judge a value nobody recorded.
// eksguard never writes such a setting, so it is corruption.
func checkValues(name string, data []byte, inv *model.Inventory, v1 bool) error {
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
			if v1 && s.v2 {
				continue
			}
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
