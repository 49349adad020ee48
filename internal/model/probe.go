package model

import "github.com/eksguard/eksguard/internal/probe"

// ProbeResult is what --probe saw of a cluster's endpoint from where eksguard ran: the probe's own
// facts (internal/probe) and the caller's public address they are judged against.
type ProbeResult struct {
	// From is the caller's public address (--caller-ip, or learned from an echo service), empty
	// when it could not be learned; FromError then says why.
	From      string `json:"from,omitempty"`
	FromError string `json:"fromError,omitempty"`
	probe.Result
}
