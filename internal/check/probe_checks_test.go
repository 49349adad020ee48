package check

import (
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/probe"
)

// probed is a live cluster with a probe result; addrs are "IP class tcp tls".
func probed(pub bool, cidrs []string, from string, addrs ...[4]string) *model.Cluster {
	res := probe.Result{Endpoint: "https://abc.gr7.us-east-1.eks.amazonaws.com", Host: "abc.gr7.us-east-1.eks.amazonaws.com", Port: "443", Resolved: []probe.Address{}}
	for _, a := range addrs {
		ad := probe.Address{IP: a[0], Class: probe.Class(a[1]), TCP: a[2]}
		if a[3] != "" {
			ad.TLS = &probe.TLSAnswer{Outcome: a[3], Subject: "CN=proxy", Issuer: "CN=corp-ca"}
		}
		res.Resolved = append(res.Resolved, ad)
	}
	return &model.Cluster{Name: "prod", Region: "us-east-1", Source: model.SourceAWS, Status: model.StatusActive,
		EndpointPublicAccess: model.Explicit(pub), EndpointPrivateAccess: model.Explicit(true), PublicAccessCIDRs: model.ExplicitList(cidrs...),
		Parts: model.Parts{model.PartProbe}, Probe: &model.ProbeResult{From: from, Result: res}}
}

func TestEndpointReachability(t *testing.T) {
	verified := [4]string{"3.5.1.1", "public", "open", "verified"}
	tests := []struct {
		name    string
		cluster *model.Cluster
		want    finding.Status
		reason  string
	}{
		{"private endpoint answering in public", probed(false, nil, "203.0.113.5", verified), finding.Fail, "although endpointPublicAccess is false"},
		{"caller inside the allowlist", probed(true, []string{"203.0.113.0/24"}, "203.0.113.5", verified), finding.Pass, "as the allowlist 203.0.113.0/24 admits it"},
		{"caller outside the allowlist", probed(true, []string{"198.51.100.0/24"}, "203.0.113.5", verified), finding.Fail, "does not admit it"},
		{"an empty list is the internet", probed(true, nil, "203.0.113.5", verified), finding.Pass, "0.0.0.0/0"},
		{"caller unknown", probed(true, []string{"198.51.100.0/24"}, "", verified), finding.Unknown, "pass --caller-ip"},
		{"refused on the only public address", probed(false, nil, "203.0.113.5", [4]string{"3.5.1.1", "public", "refused", ""}), finding.Pass, "3.5.1.1 refused"},
		{"private addresses only", probed(false, nil, "", [4]string{"10.0.1.5", "private", "open", "verified"}), finding.Pass, "10.0.1.5 private"},
		{"an interceptor", probed(false, nil, "203.0.113.5", [4]string{"3.5.1.1", "public", "open", "untrusted"}), finding.Unknown, "does not chain to the cluster's CA (CN=proxy, issued by CN=corp-ca)"},
		{"a silent listener", probed(false, nil, "203.0.113.5", [4]string{"3.5.1.1", "public", "open", "timeout"}), finding.Unknown, "did not complete (timeout)"},
		{"the second of three addresses verifies", probed(false, nil, "203.0.113.5", [4]string{"3.5.1.1", "public", "refused", ""}, verified, [4]string{"10.0.0.1", "private", "open", "verified"}), finding.Fail, "public address 3.5.1.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := EndpointReachability.Evaluate(tt.cluster)
			if o.Status != tt.want || !strings.Contains(o.Reason, tt.reason) {
				t.Fatalf("%s: %s, want %s containing %q", o.Status, o.Reason, tt.want, tt.reason)
			}
		})
	}
	nxdomain := probed(false, nil, "")
	nxdomain.Probe.DNSError = probe.DNSNotFound
	if o := EndpointReachability.Evaluate(nxdomain); o.Status != finding.Unknown || !strings.Contains(o.Reason, "does not resolve") {
		t.Errorf("unresolvable: %s %s", o.Status, o.Reason)
	}
	notProbed := probed(false, nil, "")
	notProbed.Parts, notProbed.Probe = nil, nil
	if o := EndpointReachability.Evaluate(notProbed); o.Status != finding.Unknown {
		t.Errorf("not probed: %s %s", o.Status, o.Reason)
	}
}

func TestAnonymousAPIAccess(t *testing.T) {
	with := func(ns probe.HTTPAnswer) *model.Cluster {
		c := probed(false, nil, "", [4]string{"3.5.1.1", "public", "open", "verified"})
		c.Probe.Anonymous = map[string]probe.HTTPAnswer{"/version": {Status: 200}, "/healthz": {Status: 200}, "/api/v1/namespaces": ns}
		return c
	}
	tests := []struct {
		name    string
		cluster *model.Cluster
		want    finding.Status
		reason  string
	}{
		{"forbidden", with(probe.HTTPAnswer{Status: 403}), finding.Pass, "/version 200, /healthz 200, /api/v1/namespaces 403"},
		{"unauthorized", with(probe.HTTPAnswer{Status: 401}), finding.Pass, "no more than public information"},
		{"listed", with(probe.HTTPAnswer{Status: 200}), finding.Fail, "can list namespaces"},
		{"redirected", with(probe.HTTPAnswer{Status: 302}), finding.Unknown, "no clear answer"},
		{"timed out", with(probe.HTTPAnswer{Error: probe.HTTPTimeout}), finding.Unknown, "no clear answer"},
		{"nothing verified", probed(false, nil, "", [4]string{"3.5.1.1", "public", "open", "untrusted"}), finding.Unknown, "no anonymous request was sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := AnonymousAPIAccess.Evaluate(tt.cluster)
			if o.Status != tt.want || !strings.Contains(o.Reason, tt.reason) {
				t.Fatalf("%s: %s, want %s containing %q", o.Status, o.Reason, tt.want, tt.reason)
			}
		})
	}
}
