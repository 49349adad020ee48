// Package progress draws a one-line progress bar on a terminal's standard error while a scan runs:
// accounts, regions and clusters done, and errors so far. Off a terminal it draws nothing, so logs
// and CI output stay clean.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Bar counts work and redraws at most every Interval.
type Bar struct {
	mu                                  sync.Mutex
	w                                   io.Writer
	last                                time.Time
	interval                            time.Duration
	width                               int
	accounts, regions, clusters, errors int
	accountsT, regionsT, clustersT      int
	drawn                               bool
}

// New returns a bar drawing to w (a terminal).
func New(w io.Writer) *Bar { return &Bar{w: w, interval: 100 * time.Millisecond, width: 24} }

// AddTotal grows the totals as work is discovered.
func (b *Bar) AddTotal(accounts, regions, clusters int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.accountsT += accounts
	b.regionsT += regions
	b.clustersT += clusters
	b.draw(false)
}

// Done records finished work.
func (b *Bar) Done(accounts, regions, clusters, errors int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.accounts += accounts
	b.regions += regions
	b.clusters += clusters
	b.errors += errors
	b.draw(false)
}

// Finish draws the final state and ends the line.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.draw(true)
	if b.drawn {
		fmt.Fprint(b.w, "\n")
	}
}

// Clear removes the line (used when the scan is abandoned).
func (b *Bar) Clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprint(b.w, "\r\x1b[K")
	}
}

func (b *Bar) draw(force bool) {
	now := time.Now()
	if !force && now.Sub(b.last) < b.interval {
		return
	}
	b.last = now
	b.drawn = true
	fmt.Fprintf(b.w, "\r\x1b[K%s", b.line())
}

func (b *Bar) line() string {
	filled := 0
	if b.clustersT > 0 {
		filled = b.width * b.clusters / b.clustersT
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", b.width-filled)
	return fmt.Sprintf("scanning %s accounts %d/%d  regions %d/%d  clusters %d/%d  errors %d",
		bar, b.accounts, b.accountsT, b.regions, b.regionsT, b.clusters, b.clustersT, b.errors)
}
