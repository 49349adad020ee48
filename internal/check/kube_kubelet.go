package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// The kubelet checks (CIS 3.2.1–3.2.9, docs/kubelet-controls.md) judge each node's kubelet
// configuration as the kubelet itself reports it: GET /api/v1/nodes/NAME/proxy/configz answers
// {"kubeletconfig": {...}}, and the object inside is the kubelet's effective configuration (config
// file, drop-ins and flags merged, defaults applied) converted to kubelet.config.k8s.io/v1beta1 and
// marshalled with encoding/json (setConfigz in cmd/kubelet/app/server.go, Kubernetes 1.30–1.34).
//
// That serialization decides what an absent field means. The v1beta1 fields that are plain
// scalars or maps tagged omitempty (readOnlyPort, rotateCertificates, serverTLSBootstrap,
// tlsCertFile, authentication.x509.clientCAFile, featureGates) are left out exactly when they hold
// their zero value, so absent is 0, false, "" or no gate set. The pointer fields (the
// authentication enabled flags, makeIPTablesUtilChains, eventRecordQPS), the duration
// streamingConnectionIdleTimeout (a struct, which omitempty never drops) and authorization.mode
// (always set once defaulted) are always written: absent there means a shape eksguard does not
// know, and the control is UNKNOWN for that node rather than guessed from a default.

// KubeletConfig is what the kubelet checks read of one node's configz. A nil pointer is a field the
// object does not carry (or carries as null); what that means is the check's to say.
type KubeletConfig struct {
	// AnonymousAuth is authentication.anonymous.enabled, WebhookAuth authentication.webhook.enabled.
	AnonymousAuth *bool
	WebhookAuth   *bool
	// X509 reports whether authentication.x509 is present (v1beta1 always writes it, {} when
	// empty); ClientCAFile is its clientCAFile.
	X509         bool
	ClientCAFile *string
	// AuthorizationMode is authorization.mode: Webhook or AlwaysAllow.
	AuthorizationMode *string
	ReadOnlyPort      *int32
	// StreamingConnectionIdleTimeout is the duration as written ("4h0m0s").
	StreamingConnectionIdleTimeout *string
	MakeIPTablesUtilChains         *bool
	EventRecordQPS                 *int32
	RotateCertificates             *bool
	ServerTLSBootstrap             *bool
	TLSCertFile                    *string
	// FeatureGates are the gates set explicitly; nil when none are.
	FeatureGates map[string]bool
}

// kubeletWire is the part of the configz object the checks read. encoding/json matches names
// without regard to case, so the same struct reads the v1beta1 names (readOnlyPort) and the Go
// field names an untagged internal configuration would carry (ReadOnlyPort).
type kubeletWire struct {
	Authentication *struct {
		X509 *struct {
			ClientCAFile *string `json:"clientCAFile"`
		} `json:"x509"`
		Webhook *struct {
			Enabled *bool `json:"enabled"`
		} `json:"webhook"`
		Anonymous *struct {
			Enabled *bool `json:"enabled"`
		} `json:"anonymous"`
	} `json:"authentication"`
	Authorization *struct {
		Mode *string `json:"mode"`
	} `json:"authorization"`
	ReadOnlyPort                   *int32          `json:"readOnlyPort"`
	StreamingConnectionIdleTimeout *string         `json:"streamingConnectionIdleTimeout"`
	MakeIPTablesUtilChains         *bool           `json:"makeIPTablesUtilChains"`
	EventRecordQPS                 *int32          `json:"eventRecordQPS"`
	RotateCertificates             *bool           `json:"rotateCertificates"`
	ServerTLSBootstrap             *bool           `json:"serverTLSBootstrap"`
	TLSCertFile                    *string         `json:"tlsCertFile"`
	FeatureGates                   map[string]bool `json:"featureGates"`
}

// ParseKubeletConfig reads the kubeletconfig object (what kubeapi.ParseConfigz returns) into what the
// checks judge. It refuses what is not a kubelet configuration: not a JSON object, a value of the
// wrong type, or an object without the authentication and authorization objects every kubelet
// writes, since only in a real configuration does an absent field mean its zero value.
func ParseKubeletConfig(raw json.RawMessage) (KubeletConfig, error) {
	text := bytes.TrimSpace(raw)
	if len(text) == 0 || text[0] != '{' {
		if len(text) == 0 {
			return KubeletConfig{}, errors.New("the kubelet configuration is empty")
		}
		return KubeletConfig{}, fmt.Errorf("the kubelet configuration is not a JSON object: %s", klShow(text))
	}
	var w kubeletWire
	if err := json.Unmarshal(text, &w); err != nil {
		return KubeletConfig{}, fmt.Errorf("the kubelet configuration does not parse: %v", err)
	}
	if w.Authentication == nil || w.Authorization == nil {
		return KubeletConfig{}, errors.New("not a kubelet configuration: it has no authentication and authorization objects, which every kubelet writes")
	}
	k := KubeletConfig{
		AuthorizationMode:              w.Authorization.Mode,
		ReadOnlyPort:                   w.ReadOnlyPort,
		StreamingConnectionIdleTimeout: w.StreamingConnectionIdleTimeout,
		MakeIPTablesUtilChains:         w.MakeIPTablesUtilChains,
		EventRecordQPS:                 w.EventRecordQPS,
		RotateCertificates:             w.RotateCertificates,
		ServerTLSBootstrap:             w.ServerTLSBootstrap,
		TLSCertFile:                    w.TLSCertFile,
		FeatureGates:                   w.FeatureGates,
	}
	if a := w.Authentication.Anonymous; a != nil {
		k.AnonymousAuth = a.Enabled
	}
	if wh := w.Authentication.Webhook; wh != nil {
		k.WebhookAuth = wh.Enabled
	}
	if x := w.Authentication.X509; x != nil {
		k.X509, k.ClientCAFile = true, x.ClientCAFile
	}
	return k, nil
}

// The kubelet checks' shared parts.

const (
	// klListCap is how many nodes the evidence lists; the totals are given beside them.
	klListCap = 200
	// klReasonCap is how many nodes a reason names before "and N more".
	klReasonCap = 20
	// klEventQPSFloor is the lowest limit on events per second 3.2.7 accepts (0, no limit, aside):
	// the kubelet's default until Kubernetes 1.27, the one the benchmark's text was written against.
	klEventQPSFloor = 5
	// klServerCertGate is the feature gate of kubelet serving certificate rotation.
	klServerCertGate = "RotateKubeletServerCertificate"
)

var klCalls = []APICall{
	kubeCall("list nodes", "every node's name and kubelet version"),
	kubeCall("get nodes/proxy", "GET /api/v1/nodes/NAME/proxy/configz, each node's kubelet configuration"),
}

var klLinks = []Link{
	{Title: "Kubelet Configuration (v1beta1)", URL: "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"},
	{Title: "Kubelet authentication/authorization", URL: "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/"},
	{Title: "Set Kubelet Parameters Via A Configuration File", URL: "https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/"},
	{Title: "Customize managed nodes with launch templates", URL: "https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html"},
	{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
}

// klLinksWith adds a check's own pages before the shared ones.
func klLinksWith(own ...Link) []Link {
	return append(own, klLinks...)
}

// klHow says where a kubelet setting is changed on EKS; each check's Advice starts with the
// setting and ends with it.
const klHow = "On Amazon Linux 2023 nodes put it in the NodeConfig of the launch template's user data " +
	"(spec.kubelet.config, which nodeadm merges over its defaults; spec.kubelet.flags override both), on " +
	"self-managed nodes in the file the kubelet's --config names (and no flag that overrides it); then roll the " +
	"nodes onto a new launch template version, since the kubelet reads its configuration when it starts. The " +
	"kubelet configuration of Fargate and EKS Auto Mode nodes is AWS's."

// klVerdict is one node's verdict on one control.
type klVerdict struct {
	status finding.Status // Pass, Fail, Unknown or Manual
	value  string         // the setting as configz gave it
	why    string         // why it fails or cannot be judged
}

// klRule is one control: the setting it names and its rule for one node.
type klRule struct {
	setting string
	judge   func(n *model.Node, k *KubeletConfig) klVerdict
}

// klParsed is a node's configuration read once per cluster for all nine checks.
type klParsed struct {
	config *KubeletConfig
	err    string // why the node did not answer
}

func klParse(kube *model.Kube) []klParsed {
	return kube.Memo("kubelet-config", func() any {
		out := make([]klParsed, len(kube.Nodes))
		for i, n := range kube.Nodes {
			switch {
			case n.KubeletError != "":
				out[i].err = n.KubeletError
			case len(bytes.TrimSpace(n.Kubelet)) == 0:
				out[i].err = "no kubelet configuration was recorded for the node"
			default:
				k, err := ParseKubeletConfig(n.Kubelet)
				if err != nil {
					out[i].err = "malformed configuration: " + err.Error()
				} else {
					out[i].config = &k
				}
			}
		}
		return out
	}).([]klParsed)
}

// KubeletEvidence is what a kubelet check saw: the totals and the nodes, those that fail or could
// not be judged first.
type KubeletEvidence struct {
	Setting     string `json:"setting"`
	NodeCount   int    `json:"nodeCount"`
	Answered    int    `json:"answered"`
	NotAnswered int    `json:"notAnswered"`
	Passing     int    `json:"passing"`
	Failing     int    `json:"failing"`
	// Undetermined counts nodes that answered without the setting in a form eksguard can judge.
	Undetermined int `json:"undetermined"`
	Manual       int `json:"manual,omitempty"`
	// Nodes lists at most 200 nodes; Omitted says how many more there are.
	Nodes   []KubeletNodeEvidence `json:"nodes"`
	Omitted int                   `json:"omitted,omitempty"`
	Context
}

// KubeletNodeEvidence is one node's part of the verdict.
type KubeletNodeEvidence struct {
	Name           string `json:"name"`
	KubeletVersion string `json:"kubeletVersion,omitempty"`
	// Value is the setting as configz gave it; "absent (0)" names the value an absent field has.
	Value string `json:"value,omitempty"`
	// Verdict is pass, fail, unknown, manual or "not answered".
	Verdict string `json:"verdict"`
	// Reason says why the node fails or could not be judged, or why it did not answer.
	Reason string `json:"reason,omitempty"`
}

const klNotAnswered = "not answered"

var klRank = map[string]int{"fail": 0, klNotAnswered: 1, "unknown": 2, "manual": 3, "pass": 4}

// judgeKubelet applies a control to every node: FAIL when a node that answered fails, else
// UNKNOWN when any node did not answer or could not be judged (or there is no node), else MANUAL
// when a node's verdict needs a person, else PASS.
func judgeKubelet(c *model.Cluster, r klRule) Outcome {
	kube := c.Kube
	ev := &KubeletEvidence{Setting: r.setting, NodeCount: len(kube.Nodes), Nodes: []KubeletNodeEvidence{}, Context: contextOf(c)}
	o := Outcome{Evidence: ev, Location: c.Loc}
	if len(kube.Nodes) == 0 {
		o.Status = finding.Unknown
		o.Reason = "the cluster has no nodes, so there is no kubelet configuration to judge " + r.setting + " on"
		return o
	}
	parsed := klParse(kube)
	var fail, unanswered, unknown, manual, pass []KubeletNodeEvidence
	for i := range kube.Nodes {
		n := &kube.Nodes[i]
		e := KubeletNodeEvidence{Name: n.Name, KubeletVersion: n.KubeletVersion}
		if parsed[i].config == nil {
			e.Verdict, e.Reason = klNotAnswered, parsed[i].err
			unanswered = append(unanswered, e)
			continue
		}
		v := r.judge(n, parsed[i].config)
		e.Value, e.Reason = v.value, v.why
		switch v.status {
		case finding.Pass:
			e.Verdict, e.Reason = "pass", ""
			pass = append(pass, e)
		case finding.Fail:
			e.Verdict = "fail"
			fail = append(fail, e)
		case finding.Manual:
			e.Verdict = "manual"
			manual = append(manual, e)
		default:
			e.Verdict = "unknown"
			unknown = append(unknown, e)
		}
	}
	ev.Answered = len(kube.Nodes) - len(unanswered)
	ev.NotAnswered, ev.Passing, ev.Failing, ev.Undetermined, ev.Manual = len(unanswered), len(pass), len(fail), len(unknown), len(manual)
	all := append(append(append(append(append([]KubeletNodeEvidence{}, fail...), unanswered...), unknown...), manual...), pass...)
	sort.SliceStable(all, func(i, j int) bool {
		if a, b := klRank[all[i].Verdict], klRank[all[j].Verdict]; a != b {
			return a < b
		}
		return all[i].Name < all[j].Name
	})
	if len(all) > klListCap {
		ev.Omitted = len(all) - klListCap
		all = all[:klListCap]
	}
	ev.Nodes = all

	total := len(kube.Nodes)
	notRead := ""
	if len(unanswered) > 0 {
		notRead = "; " + klNodes(unanswered, "did not answer", false)
	}
	switch {
	case len(fail) > 0:
		o.Status = finding.Fail
		o.Reason = fmt.Sprintf("%s fails on %s of %d: %s", r.setting, count(len(fail), "node", "nodes"), total, klNamed(fail, true)) +
			klWhys(fail) + notRead
		if len(unknown) > 0 {
			o.Reason += "; " + klNodes(unknown, "could not be judged", true)
		}
	case len(unanswered) == total:
		o.Status = finding.Unknown
		o.Reason = "no node's kubelet configuration could be read, so " + r.setting + " cannot be judged: " + klNodes(unanswered, "did not answer", false)
	case len(unanswered) > 0 || len(unknown) > 0:
		o.Status = finding.Unknown
		var parts []string
		if len(unanswered) > 0 {
			parts = append(parts, klNodes(unanswered, "did not answer", false))
		}
		if len(unknown) > 0 {
			parts = append(parts, klNodes(unknown, "could not be judged", true))
		}
		if len(manual) > 0 {
			parts = append(parts, klNodes(manual, "needs a person's judgement", true))
		}
		o.Reason = fmt.Sprintf("%s passes on %d of %d nodes, and the others cannot be judged: %s", r.setting,
			len(pass), total, strings.Join(parts, "; "))
	case len(manual) > 0:
		o.Status = finding.Manual
		o.Reason = fmt.Sprintf("%s needs a person's judgement on %s of %d: %s", r.setting, count(len(manual), "node", "nodes"), total,
			klNamed(manual, true)) + klWhys(manual)
	default:
		o.Status = finding.Pass
		o.Reason = fmt.Sprintf("%s is %s on %s", r.setting, klValues(pass), klAll(total))
	}
	return o
}

// klAll is "the node" or "all 3 nodes".
func klAll(n int) string {
	if n == 1 {
		return "the cluster's only node"
	}
	return fmt.Sprintf("all %d nodes", n)
}

// klNamed names nodes, with their values when asked, up to klReasonCap.
func klNamed(list []KubeletNodeEvidence, values bool) string {
	sorted := append([]KubeletNodeEvidence{}, list...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	shown := sorted
	if len(shown) > klReasonCap {
		shown = shown[:klReasonCap]
	}
	names := make([]string, len(shown))
	for i, e := range shown {
		names[i] = e.Name
		if values && e.Value != "" {
			names[i] += " (" + e.Value + ")"
		}
	}
	text := strings.Join(names, ", ")
	if more := len(sorted) - len(shown); more > 0 {
		text += fmt.Sprintf(" and %d more", more)
	}
	return text
}

// klNodes words a group of nodes: "2 nodes did not answer: a, b (a: why)". The verb phrase of
// what agrees with one node; klPlural makes it agree with more.
func klNodes(list []KubeletNodeEvidence, what string, values bool) string {
	if len(list) != 1 {
		what = klPlural(what)
	}
	return count(len(list), "node", "nodes") + " " + what + ": " + klNamed(list, values) + klWhys(list)
}

// klPlural turns "needs a person's judgement" into "need a person's judgement".
func klPlural(what string) string {
	if verb, rest, ok := strings.Cut(what, " "); ok && strings.HasSuffix(verb, "s") {
		return strings.TrimSuffix(verb, "s") + " " + rest
	}
	return what
}

// klWhys gives the distinct reasons of a group of nodes, at most three, each with the first node
// that has it.
func klWhys(list []KubeletNodeEvidence) string {
	sorted := append([]KubeletNodeEvidence{}, list...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	seen := map[string]bool{}
	var whys []string
	for _, e := range sorted {
		if e.Reason == "" || seen[e.Reason] {
			continue
		}
		seen[e.Reason] = true
		if len(whys) == 3 {
			whys = append(whys, "...")
			break
		}
		why := e.Reason
		if len(why) > 200 {
			why = why[:200] + "..."
		}
		whys = append(whys, e.Name+": "+why)
	}
	if len(whys) == 0 {
		return ""
	}
	return " (" + strings.Join(whys, "; ") + ")"
}

// klValues words the distinct values of passing nodes: "false" or "Webhook or AlwaysAllow".
func klValues(list []KubeletNodeEvidence) string {
	seen := map[string]bool{}
	var vals []string
	for _, e := range list {
		if !seen[e.Value] {
			seen[e.Value] = true
			vals = append(vals, e.Value)
		}
	}
	sort.Strings(vals)
	if len(vals) > 5 {
		vals = append(vals[:5], "...")
	}
	return strings.Join(vals, " or ")
}

// klAlwaysWritten is the reason for an absent field that every kubelet writes.
func klAlwaysWritten(field string) string {
	return field + " is absent, though the kubelet always writes it to configz: the configuration is not in a shape eksguard knows"
}

func klBool(b bool) string { return strconv.FormatBool(b) }

// The nine controls.

// KubeletAnonymousAuth is CIS 3.2.1: the kubelet refuses anonymous requests.
var KubeletAnonymousAuth = register(&Check{
	ID:       "kubelet-anonymous-auth",
	Title:    "Kubelet refuses anonymous requests",
	Summary:  "authentication.anonymous.enabled false on every node's kubelet",
	Severity: SeverityHigh,
	Rationale: "With anonymous authentication on, a request to the kubelet's API (port 10250) that presents no " +
		"credential is served as system:anonymous, and only the kubelet's authorization stands between anyone " +
		"who can reach the node and its pods, logs and exec.",
	Links: klLinksWith(),
	Parts: []model.Part{model.PartKubelet},
	Calls: klCalls,
	PassRule: "Every node's configz has authentication.anonymous.enabled false. FAIL names the nodes where it is true. " +
		"The kubelet always writes the field, so a configuration without it is UNKNOWN for that node. Nodes that " +
		"do not answer make the control UNKNOWN unless another node fails.",
	Defaults: "false with a configuration file (the v1beta1 default, and what nodeadm on Amazon Linux 2023 and the " +
		"EKS AMIs write); a kubelet started with flags only and no --config defaults to true (--anonymous-auth).",
	Advice: `set "authentication": {"anonymous": {"enabled": false}} in the kubelet configuration and drop any ` +
		"--anonymous-auth=true flag. " + klHow,
	judge: func(c *model.Cluster) Outcome {
		return judgeKubelet(c, klRule{setting: "authentication.anonymous.enabled", judge: func(_ *model.Node, k *KubeletConfig) klVerdict {
			switch {
			case k.AnonymousAuth == nil:
				return klVerdict{status: finding.Unknown, value: "absent", why: klAlwaysWritten("authentication.anonymous.enabled")}
			case *k.AnonymousAuth:
				return klVerdict{status: finding.Fail, value: "true", why: "requests without credentials are served as system:anonymous"}
			}
			return klVerdict{status: finding.Pass, value: "false"}
		}})
	},
})

// KubeletAuthorizationMode is CIS 3.2.2: the kubelet authorizes requests with the API server
// (Webhook), not AlwaysAllow.
var KubeletAuthorizationMode = register(&Check{
	ID:       "kubelet-authorization-mode",
	Title:    "Kubelet authorizes requests through the API server",
	Summary:  "authorization.mode Webhook (not AlwaysAllow) on every node's kubelet",
	Severity: SeverityHigh,
	Rationale: "In AlwaysAllow mode the kubelet serves every request that authenticated (or every request, with " +
		"anonymous authentication on): exec into any pod of the node, its logs, its metrics. Webhook mode asks the " +
		"API server with a SubjectAccessReview, so RBAC decides who reaches nodes/proxy, nodes/log and the rest.",
	Links: klLinksWith(),
	Parts: []model.Part{model.PartKubelet},
	Calls: klCalls,
	PassRule: "Every node's configz has authorization.mode Webhook. FAIL names the nodes with AlwaysAllow. A mode " +
		"that is absent (the kubelet always writes it) or one the kubelet does not define is UNKNOWN for that node. " +
		"The evidence also shows authentication.webhook.enabled, which Webhook authorization needs to see bearer tokens.",
	Defaults: "Webhook with a configuration file (the v1beta1 default, and what nodeadm on Amazon Linux 2023 writes); " +
		"a kubelet started with flags only and no --config defaults to AlwaysAllow (--authorization-mode).",
	Advice: `set "authorization": {"mode": "Webhook"} and "authentication": {"webhook": {"enabled": true}} in the ` +
		"kubelet configuration and drop any --authorization-mode=AlwaysAllow flag. " + klHow,
	judge: func(c *model.Cluster) Outcome {
		return judgeKubelet(c, klRule{setting: "authorization.mode", judge: func(_ *model.Node, k *KubeletConfig) klVerdict {
			webhook := ""
			if k.WebhookAuth != nil {
				webhook = ", webhook authentication " + map[bool]string{true: "on", false: "off"}[*k.WebhookAuth]
			}
			if k.AuthorizationMode == nil || *k.AuthorizationMode == "" {
				return klVerdict{status: finding.Unknown, value: "absent" + webhook, why: klAlwaysWritten("authorization.mode")}
			}
			mode := *k.AuthorizationMode
			switch mode {
			case "AlwaysAllow":
				return klVerdict{status: finding.Fail, value: mode + webhook, why: "every authenticated request is allowed, whatever RBAC says"}
			case "Webhook":
				return klVerdict{status: finding.Pass, value: mode + webhook}
			}
			return klVerdict{status: finding.Unknown, value: strconv.Quote(mode) + webhook, why: "the kubelet defines only the modes Webhook and AlwaysAllow"}
		}})
	},
})

// KubeletClientCA is CIS 3.2.3: the kubelet authenticates client certificates against a CA.
var KubeletClientCA = register(&Check{
	ID:       "kubelet-client-ca",
	Title:    "Kubelet has a client CA file",
	Summary:  "authentication.x509.clientCAFile set on every node's kubelet",
	Severity: SeverityMedium,
	Rationale: "The client CA is how the kubelet authenticates the API server's client certificate, and any other " +
		"certificate its CA signed. Without it no certificate authenticates, so requests from the API server are " +
		"left to token authentication or to anonymous access.",
	Links: klLinksWith(),
	Parts: []model.Part{model.PartKubelet},
	Calls: klCalls,
	PassRule: "Every node's configz has a non-empty authentication.x509.clientCAFile. configz leaves the field out " +
		"when it is empty, so absent (inside the x509 object, which is always written) FAILs: the kubelet has no " +
		"client CA. eksguard cannot see the file's content, only that it is configured.",
	Defaults: "No client CA in the kubelet's own defaults; nodeadm on Amazon Linux 2023 sets /etc/kubernetes/pki/ca.crt, " +
		"the cluster's CA.",
	Advice: `set "authentication": {"x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"}} (the cluster CA, where ` +
		"nodeadm writes it) in the kubelet configuration. " + klHow,
	judge: func(c *model.Cluster) Outcome {
		return judgeKubelet(c, klRule{setting: "authentication.x509.clientCAFile", judge: func(_ *model.Node, k *KubeletConfig) klVerdict {
			switch {
			case !k.X509:
				return klVerdict{status: finding.Unknown, value: "absent", why: klAlwaysWritten("authentication.x509")}
			case k.ClientCAFile == nil || *k.ClientCAFile == "":
				return klVerdict{status: finding.Fail, value: `absent ("")`, why: "no client CA: the kubelet authenticates no client certificate"}
			}
			return klVerdict{status: finding.Pass, value: *k.ClientCAFile}
		}})
	},
})

// KubeletReadOnlyPort is CIS 3.2.4: the kubelet's unauthenticated read-only port is off.
var KubeletReadOnlyPort = register(&Check{
	ID:       "kubelet-read-only-port",
	Title:    "Kubelet read-only port disabled",
	Summary:  "readOnlyPort 0 on every node's kubelet",
	Severity: SeverityMedium,
	Rationale: "The read-only port (10255 when on) serves the kubelet's pod list, with every pod's spec, and its " +
		"metrics over plain HTTP with neither authentication nor authorization, to anything that reaches the node.",
	Links: klLinksWith(),
	Parts: []model.Part{model.PartKubelet},
	Calls: klCalls,
	PassRule: "Every node's configz has readOnlyPort 0. configz leaves the field out when it is 0, so absent passes " +
		"(shown as \"absent (0)\"). FAIL names the nodes and their ports.",
	Defaults: "0 with a configuration file (the v1beta1 default, and what nodeadm on Amazon Linux 2023 writes); a " +
		"kubelet started with flags only and no --config defaults to 10255 (--read-only-port).",
	Advice: `set "readOnlyPort": 0 in the kubelet configuration and drop any --read-only-port flag. ` + klHow,
	judge: func(c *model.Cluster) Outcome {
		return judgeKubelet(c, klRule{setting: "readOnlyPort", judge: func(_ *model.Node, k *KubeletConfig) klVerdict {
			switch {
			case k.ReadOnlyPort == nil:
				return klVerdict{status: finding.Pass, value: "absent (0)"}
			case *k.ReadOnlyPort == 0:
				return klVerdict{status: finding.Pass, value: "0"}
			case *k.ReadOnlyPort < 0:
				return klVerdict{status: finding.Unknown, value: strconv.Itoa(int(*k.ReadOnlyPort)), why: "not a port the kubelet accepts"}
			}
			return klVerdict{status: finding.Fail, value: strconv.Itoa(int(*k.ReadOnlyPort)),
				why: "the kubelet serves its pod list and metrics on this port without authentication"}
		}})
	},
})

// KubeletStreamingTimeout is CIS 3.2.5: idle streaming connections time out.
var KubeletStreamingTimeout = register(&Check{
	ID:       "kubelet-streaming-timeout",
	Title:    "Kubelet streaming connections time out when idle",
	Summary:  "streamingConnectionIdleTimeout not 0 on every node's kubelet",
	Severity: SeverityLow,
	Rationale: "Idle exec, attach and port-forward connections that never time out hold the node's resources and " +
		"leave sessions open for anyone who takes them over.",
	Links: klLinksWith(),
	Parts: []model.Part{model.PartKubelet},
	Calls: klCalls,
	PassRule: "Every node's configz has a streamingConnectionIdleTimeout above zero (a duration such as \"4h0m0s\"). " +
		"\"0s\" FAILs. The kubelet always writes the field, so absent, or a value that is not a duration, is UNKNOWN " +
		"for that node. Kubernetes 1.34 documents the field as deprecated with no effect (the container runtime " +
		"serves the streams, with its own idle timeout); the control still judges the value the benchmark names.",
	Defaults: "4h0m0s (the kubelet's default; nodeadm on Amazon Linux 2023 does not set it).",
	Advice: `set "streamingConnectionIdleTimeout": "4h0m0s" (or shorter, not 0) in the kubelet configuration and ` +
		"drop any --streaming-connection-idle-timeout=0 flag. " + klHow,
	judge: func(c *model.Cluster) Outcome {
		return judgeKubelet(c, klRule{setting: "streamingConnectionIdleTimeout", judge: func(_ *model.Node, k *KubeletConfig) klVerdict {
			if k.StreamingConnectionIdleTimeout == nil {
				return klVerdict{status: finding.Unknown, value: "absent", why: klAlwaysWritten("streamingConnectionIdleTimeout")}
			}
			text := *k.StreamingConnectionIdleTimeout
			d, err := time.ParseDuration(text)
			switch {
			case err != nil:
				return klVerdict{status: finding.Unknown, value: strconv.Quote(text), why: "not a duration"}
			case d <= 0:
				return klVerdict{status: finding.Fail, value: text, why: "idle streaming connections never time out"}
			}
			return klVerdict{status: finding.Pass, value: text}
		}})
	},
})

// KubeletIPTablesChains is CIS 3.2.6: the kubelet manages its iptables chains.
var KubeletIPTablesChains = register(&Check{
	ID:       "kubelet-iptables-chains",
	Title:    "Kubelet makes its iptables utility chains",
	Summary:  "makeIPTablesUtilChains true on every node's kubelet",
	Severity: SeverityLow,
	Rationale: "The benchmark asks that the kubelet manage the iptables chains it owns, so that the node's " +
		"networking rules stay consistent with what Kubernetes expects rather than being left to hand edits.",
	Links: klLinksWith(),
	Parts: []model.Part{model.PartKubelet},
	Calls: klCalls,
	PassRule: "Every node's configz has makeIPTablesUtilChains true; false FAILs. The kubelet always writes the " +
		"field, so absent is UNKNOWN for that node. In current kubelets the setting only creates the " +
		"KUBE-IPTABLES-HINT chain (kube-proxy owns the masquerade and drop chains).",
	Defaults: "true (the kubelet's default; nodeadm on Amazon Linux 2023 does not set it).",
	Advice:   `set "makeIPTablesUtilChains": true in the kubelet configuration and drop any --make-iptables-util-chains=false flag. ` + klHow,
	judge: func(c *model.Cluster) Outcome {
		return judgeKubelet(c, klRule{setting: "makeIPTablesUtilChains", judge: func(_ *model.Node, k *KubeletConfig) klVerdict {
			switch {
			case k.MakeIPTablesUtilChains == nil:
				return klVerdict{status: finding.Unknown, value: "absent", why: klAlwaysWritten("makeIPTablesUtilChains")}
			case !*k.MakeIPTablesUtilChains:
				return klVerdict{status: finding.Fail, value: "false", why: "the kubelet does not make its iptables chains"}
			}
			return klVerdict{status: finding.Pass, value: "true"}
		}})
	},
})

// KubeletEventQPS is CIS 3.2.7: the kubelet does not throttle the events it records below what the
// benchmark treats as appropriate capture.
var KubeletEventQPS = register(&Check{
	ID:       "kubelet-event-qps",
	Title:    "Kubelet records events without a throttle that drops them",
	Summary:  "eventRecordQPS 0 (no limit) or at least 5 on every node's kubelet",
	Severity: SeverityLow,
	Rationale: "Events are how a node tells of pods that fail to start, probes that fail, evictions and image pulls. " +
		"The kubelet drops those it creates beyond eventRecordQPS per second (after a burst of eventBurst), so a " +
		"low limit loses the record of what happened on a busy node.",
	Links: klLinksWith(),
	Parts: []model.Part{model.PartKubelet},
	Calls: klCalls,
	PassRule: "Every node's configz has eventRecordQPS 0 (no limit) or at least 5; a value from 1 to 4, or a negative " +
		"one (which the kubelet refuses), FAILs. The benchmark leaves the level to the site (\"0 or a level which " +
		"ensures appropriate event capture\"); eksguard takes 5, the kubelet's default until Kubernetes 1.27 and the " +
		"one the benchmark was written against, as the lowest appropriate level: below it the node keeps fewer events " +
		"than a stock kubelet ever did. kube-bench passes any value of 0 or more. The kubelet always writes the field, " +
		"so absent is UNKNOWN for that node.",
	Defaults: "50 since Kubernetes 1.27 (5 before); nodeadm on Amazon Linux 2023 does not set it.",
	Advice: `set "eventRecordQPS" to 0 (no limit) or 5 or more (the default is 50) in the kubelet configuration, or ` +
		"settings.kubernetes.event-qps on Bottlerocket. " + klHow,
	judge: func(c *model.Cluster) Outcome {
		return judgeKubelet(c, klRule{setting: "eventRecordQPS", judge: func(_ *model.Node, k *KubeletConfig) klVerdict {
			if k.EventRecordQPS == nil {
				return klVerdict{status: finding.Unknown, value: "absent", why: klAlwaysWritten("eventRecordQPS")}
			}
			q := *k.EventRecordQPS
			value := strconv.Itoa(int(q))
			switch {
			case q == 0:
				return klVerdict{status: finding.Pass, value: "0 (no limit)"}
			case q < 0:
				return klVerdict{status: finding.Fail, value: value, why: "negative, which the kubelet does not accept"}
			case q < klEventQPSFloor:
				return klVerdict{status: finding.Fail, value: value,
					why: fmt.Sprintf("events beyond %d per second are dropped, below the %d eksguard takes as appropriate", q, klEventQPSFloor)}
			}
			return klVerdict{status: finding.Pass, value: value}
		}})
	},
})

// KubeletCertRotation is CIS 3.2.8: the kubelet rotates its client certificate.
var KubeletCertRotation = register(&Check{
	ID:       "kubelet-cert-rotation",
	Title:    "Kubelet rotates its client certificate",
	Summary:  "rotateCertificates true on every node's kubelet (MANUAL where it is off: EKS nodes use IAM tokens)",
	Severity: SeverityLow,
	Rationale: "A kubelet that authenticates to the API server with a client certificate should renew it before it " +
		"expires, through the certificates API, rather than keep one long-lived credential. The benchmark notes that " +
		"this applies only to kubelets that get their certificates from the API server.",
	Links: klLinksWith(
		Link{Title: "Configure Certificate Rotation for the Kubelet", URL: "https://kubernetes.io/docs/tasks/tls/certificate-rotation/"},
		Link{Title: "TLS bootstrapping", URL: "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/"},
	),
	Parts: []model.Part{model.PartKubelet},
	Calls: klCalls,
	PassRule: "PASS when every node's configz has rotateCertificates true. configz leaves the field out when it is " +
		"false, so absent means rotation is off, and it cannot tell a configuration that leaves it out (which the " +
		"benchmark's audit passes) from one that sets false. Rotation off is MANUAL, not FAIL: the EKS AMIs' kubelets " +
		"authenticate with a short-lived IAM token (aws eks get-token in their kubeconfig) and hold no client " +
		"certificate to rotate, which configz does not show; a person confirms which nodes, if any, use client " +
		"certificates (TLS bootstrapping, EKS local clusters on Outposts, self-managed nodes).",
	Defaults: "false (the kubelet's default); nodeadm on Amazon Linux 2023 does not set it, and its nodes authenticate " +
		"with an IAM token.",
	Advice: `on nodes whose kubelet authenticates with a client certificate, set "rotateCertificates": true in the ` +
		"kubelet configuration. Do not set it on nodes that authenticate with an IAM token (the EKS AMIs): with " +
		"rotation on, the kubelet stops using its kubeconfig's credentials for API calls and waits for a client " +
		"certificate issued through a CSR the cluster must approve; record the control as not applicable to them. " + klHow,
	judge: func(c *model.Cluster) Outcome {
		return judgeKubelet(c, klRule{setting: "rotateCertificates", judge: func(_ *model.Node, k *KubeletConfig) klVerdict {
			if k.RotateCertificates != nil && *k.RotateCertificates {
				return klVerdict{status: finding.Pass, value: "true"}
			}
			value := "false"
			if k.RotateCertificates == nil {
				value = "absent (false)"
			}
			return klVerdict{status: finding.Manual, value: value,
				why: "client certificate rotation is off; it matters only if the kubelet authenticates with a client certificate, not with the IAM token EKS AMI nodes use"}
		}})
	},
})

// KubeletServerCertRotation is CIS 3.2.9: the kubelet's serving certificate comes from the
// certificates API and is rotated.
var KubeletServerCertRotation = register(&Check{
	ID:       "kubelet-server-cert-rotation",
	Title:    "Kubelet rotates its serving certificate",
	Summary:  "serverTLSBootstrap true with the RotateKubeletServerCertificate gate on, on every node's kubelet",
	Severity: SeverityLow,
	Rationale: "Without server TLS bootstrapping the kubelet serves its API on port 10250 with a certificate it signed " +
		"itself, which no client can verify and which is never renewed. With it the kubelet asks the certificates API " +
		"for a serving certificate signed by the cluster and renews it before it expires.",
	Links: klLinksWith(
		Link{Title: "Configure Certificate Rotation for the Kubelet", URL: "https://kubernetes.io/docs/tasks/tls/certificate-rotation/"},
		Link{Title: "TLS bootstrapping", URL: "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/"},
	),
	Parts: []model.Part{model.PartKubelet},
	Calls: klCalls,
	PassRule: "The kubelet rotates its serving certificate only when serverTLSBootstrap is true and the " +
		"RotateKubeletServerCertificate feature gate is on, so a node passes when both hold: serverTLSBootstrap true, " +
		"and featureGates.RotateKubeletServerCertificate true or not set (the gate is on by default since Kubernetes " +
		"1.12; AllBeta false turns it off). A node FAILs when serverTLSBootstrap is false or absent (configz leaves it " +
		"out when false) and it serves a self-signed certificate, or when the gate is off, even if the gate alone is " +
		"true (kube-bench's test passes the gate alone). A node that serves a certificate from tlsCertFile without " +
		"bootstrapping is MANUAL: the benchmark leaves the rotation of certificates from another source to whoever " +
		"issues them.",
	Defaults: "serverTLSBootstrap false and the gate on, in the kubelet's own defaults; nodeadm on Amazon Linux 2023 " +
		"sets serverTLSBootstrap true and the gate true.",
	Advice: `set "serverTLSBootstrap": true and "featureGates": {"RotateKubeletServerCertificate": true} in the kubelet ` +
		"configuration (settings.kubernetes.server-tls-bootstrap on Bottlerocket); the kubelet's serving CSRs " +
		"(signer kubernetes.io/kubelet-serving) must then be approved. " + klHow,
	judge: func(c *model.Cluster) Outcome {
		return judgeKubelet(c, klRule{setting: "serverTLSBootstrap with featureGates.RotateKubeletServerCertificate", judge: judgeServerCertRotation})
	},
})

var klMinor = regexp.MustCompile(`^v?(\d+)\.(\d+)`)

func judgeServerCertRotation(n *model.Node, k *KubeletConfig) klVerdict {
	bootstrap := k.ServerTLSBootstrap != nil && *k.ServerTLSBootstrap
	bootText := "serverTLSBootstrap " + klBool(bootstrap)
	if k.ServerTLSBootstrap == nil {
		bootText = "serverTLSBootstrap absent (false)"
	}
	// The gate: set explicitly, else AllBeta when set (the gate is beta), else its default.
	gate, gateKnown, gateText := true, true, ""
	if v, ok := k.FeatureGates[klServerCertGate]; ok {
		gate, gateText = v, klServerCertGate+" "+klBool(v)
	} else if v, ok := k.FeatureGates["AllBeta"]; ok {
		gate, gateText = v, klServerCertGate+" not set (AllBeta "+klBool(v)+")"
	} else {
		gateText = klServerCertGate + " not set (on by default)"
		if m := klMinor.FindStringSubmatch(n.KubeletVersion); m != nil {
			major, _ := strconv.Atoi(m[1])
			minor, _ := strconv.Atoi(m[2])
			if major == 1 && minor < 12 {
				gateKnown = false
			}
		}
	}
	value := bootText + ", " + gateText
	switch {
	case !gateKnown:
		return klVerdict{status: finding.Unknown, value: value, why: "the gate's default before Kubernetes 1.12 was off, and kubelet " + n.KubeletVersion + " does not say it is on"}
	case !gate:
		return klVerdict{status: finding.Fail, value: value, why: "the feature gate that rotates the serving certificate is off"}
	case bootstrap:
		return klVerdict{status: finding.Pass, value: value}
	case k.TLSCertFile != nil && *k.TLSCertFile != "":
		return klVerdict{status: finding.Manual, value: value + ", tlsCertFile " + *k.TLSCertFile,
			why: "the serving certificate comes from tlsCertFile, not the certificates API: its rotation is up to whoever issues it"}
	}
	return klVerdict{status: finding.Fail, value: value, why: "the kubelet serves a self-signed certificate it never rotates, whatever the gate says"}
}

// klShow quotes the start of a body for an error message.
func klShow(b []byte) string {
	const max = 60
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}
