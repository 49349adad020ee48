package remediate

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// AuditLog appends one JSON line per change to a file that is opened before anything changes, so a
// change is never made that cannot be recorded.
type AuditLog struct {
	f    *os.File
	path string
}

// OpenAuditLog opens (creating if needed) a log for appending.
func OpenAuditLog(path string) (*AuditLog, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	return &AuditLog{f: f, path: path}, nil
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	Time       time.Time      `json:"time"`
	Caller     string         `json:"caller"`
	ClusterARN string         `json:"clusterArn"`
	Cluster    string         `json:"cluster"`
	Region     string         `json:"region"`
	Mode       string         `json:"mode"`
	Before     *Settings      `json:"before"`
	Target     Settings       `json:"target"`
	After      *Settings      `json:"after"`
	UpdateIDs  []string       `json:"updateIds"`
	Updates    []UpdateRecord `json:"updates"`
	Outcome    string         `json:"outcome"`
	Message    string         `json:"message"`
}

// Append writes one entry as a single line and syncs it to disk.
func (l *AuditLog) Append(e AuditEntry) error {
	if e.UpdateIDs == nil {
		e.UpdateIDs = []string{}
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := l.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write audit log %s: %w", l.path, err)
	}
	return l.f.Sync()
}

// Close closes the file.
func (l *AuditLog) Close() error { return l.f.Close() }

// Entry builds the audit entry of an applied plan.
func Entry(now time.Time, caller string, p *Plan, o *Outcome) AuditEntry {
	e := AuditEntry{Time: now.UTC(), Caller: caller, ClusterARN: p.Cluster.ARN, Cluster: p.Cluster.Name, Region: p.Cluster.Region,
		Mode: p.Mode, Before: p.Current, Target: p.Target, After: o.Final, Updates: o.Updates, Outcome: o.Result, Message: o.Message}
	for _, u := range o.Updates {
		if u.UpdateID != "" {
			e.UpdateIDs = append(e.UpdateIDs, u.UpdateID)
		}
	}
	return e
}

// StartedEntry records an update as soon as EKS accepted it, before eksguard waits on it.
func StartedEntry(now time.Time, caller string, p *Plan, r UpdateRecord) AuditEntry {
	return AuditEntry{Time: now.UTC(), Caller: caller, ClusterARN: p.Cluster.ARN, Cluster: p.Cluster.Name, Region: p.Cluster.Region,
		Mode: p.Mode, Before: p.Current, Target: p.Target, UpdateIDs: []string{r.UpdateID}, Updates: []UpdateRecord{r},
		Outcome: "update-started", Message: "phase " + r.Phase + ": update " + r.UpdateID + " accepted by EKS; waiting for it"}
}
