package remediate

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/eksguard/eksguard/internal/fileio"
)

// AuditLog appends one JSON line per change to a file that is opened before anything changes, so a
// change is never made that cannot be recorded.
type AuditLog struct {
	a    *fileio.Appender
	path string
}

// OpenAuditLog opens (creating if needed, mode 0600) a log for appending. A named pipe is waited for
// until a reader opens it or ctx ends, so a pipe nobody reads neither hangs eksguard nor blocks an
// interrupt; the error then wraps ctx's.
func OpenAuditLog(ctx context.Context, path string) (*AuditLog, error) {
	a, err := fileio.OpenAppend(ctx, path, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	return &AuditLog{a: a, path: path}, nil
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

// Append writes one entry as a single line (synced to disk for a regular file). On a pipe, the write
// gives up when ctx ends.
func (l *AuditLog) Append(ctx context.Context, e AuditEntry) error {
	if e.UpdateIDs == nil {
		e.UpdateIDs = []string{}
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := l.a.Append(ctx, append(b, '\n')); err != nil {
		return fmt.Errorf("write audit log %s: %w", l.path, err)
	}
	return nil
}

// Close closes the file.
func (l *AuditLog) Close() error { return l.a.Close() }

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
