package check

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// The Pod Security checks (CIS 4.2.1–4.2.5) judge whether each namespace's Pod Security
// admission refuses one thing the Pod Security Standards forbid, and list the running pods that
// the level they require would refuse.
//
// Pod Security admission's own code (k8s.io/pod-security-admission) cannot be linked here: its
// api package imports k8s.io/component-base, which the module does not require. What these checks
// need of it is small and is written out below, rule for rule as in version v0.37.2 of that module:
//
//   - api.PolicyToEvaluate: the label pod-security.kubernetes.io/enforce names the level;
//     a value that is not privileged, baseline or restricted (api.ParseLevel fails) is enforced as
//     restricted, so an invalid label fails closed. pod-security.kubernetes.io/enforce-version is
//     "latest" or "v1.N"; any other value (api.ParseVersion fails) is evaluated as latest. A
//     namespace without the enforce label gets the cluster's default, which on EKS is privileged.
//     Admission refuses to create a namespace with invalid labels or to change them to invalid
//     values, but one labelled before Pod Security admission ran keeps them, and its pods are then
//     evaluated as above.
//   - policy checks privileged and hostNamespaces (baseline, every version from v1.0) and
//     allowPrivilegeEscalation (restricted, from v1.8; from v1.25 a pod with spec.os.name windows
//     is exempt). Every check visits init, regular and ephemeral containers. The restricted level
//     includes every baseline check, and a version newer than the newest policy evaluates as the
//     newest.
//
// The checks never refuse anything in kube-system: EKS runs its own DaemonSets there (aws-node
// and kube-proxy share the host's network, aws-node's init container and network policy agent
// are privileged), so that namespace cannot enforce baseline.

// psaLevel is a Pod Security Standards level.
type psaLevel string

const (
	psaPrivileged psaLevel = "privileged"
	psaBaseline   psaLevel = "baseline"
	psaRestricted psaLevel = "restricted"
)

// rank orders the levels by strictness.
func (l psaLevel) rank() int {
	switch l {
	case psaBaseline:
		return 1
	case psaRestricted:
		return 2
	}
	return 0
}

// psaVersion is a policy version: v1.N, or latest.
type psaVersion struct {
	minor  int
	latest bool
}

var psaLatest = psaVersion{latest: true}

func (v psaVersion) String() string {
	if v.latest {
		return "latest"
	}
	return fmt.Sprintf("v1.%d", v.minor)
}

// atLeast reports whether v is version 1.minor or newer; latest is newer than any.
func (v psaVersion) atLeast(minor int) bool { return v.latest || v.minor >= minor }

// psaVersionPattern is what api.ParseVersion accepts besides "latest".
var psaVersionPattern = regexp.MustCompile(`^v1\.([0-9]|[1-9][0-9]*)$`)

// parsePSAVersion reads an enforce-version label; ok is false for a value Pod Security admission
// cannot parse, which it evaluates as latest.
func parsePSAVersion(s string) (v psaVersion, ok bool) {
	if s == "latest" {
		return psaLatest, true
	}
	m := psaVersionPattern.FindStringSubmatch(s)
	if m == nil {
		return psaLatest, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return psaLatest, false
	}
	return psaVersion{minor: n}, true
}

// The Pod Security labels.
const (
	psaEnforceLabel        = "pod-security.kubernetes.io/enforce"
	psaEnforceVersionLabel = "pod-security.kubernetes.io/enforce-version"
	psaWarnLabel           = "pod-security.kubernetes.io/warn"
	psaAuditLabel          = "pod-security.kubernetes.io/audit"
)

// psaPolicy is what Pod Security admission enforces in a namespace.
type psaPolicy struct {
	level   psaLevel
	version psaVersion
	// labelled is false for a namespace without the enforce label: the cluster's default
	// (privileged on EKS) applies.
	labelled bool
	// notes tell of labels admission cannot parse and how it evaluates them.
	notes []string
}

func (p psaPolicy) String() string { return string(p.level) + ":" + p.version.String() }

// psaEnforced reads a namespace's enforce labels as Pod Security admission does.
func psaEnforced(labels map[string]string) psaPolicy {
	p := psaPolicy{level: psaPrivileged, version: psaLatest}
	level, hasLevel := labels[psaEnforceLabel]
	if hasLevel {
		p.labelled = true
		switch l := psaLevel(level); l {
		case psaPrivileged, psaBaseline, psaRestricted:
			p.level = l
		default:
			p.level = psaRestricted
			p.notes = append(p.notes, fmt.Sprintf("%s=%q is not a level (privileged, baseline, restricted): Pod Security admission enforces restricted for it", psaEnforceLabel, level))
		}
	}
	if version, ok := labels[psaEnforceVersionLabel]; ok {
		v, valid := parsePSAVersion(version)
		p.version = v
		switch {
		case !valid:
			p.notes = append(p.notes, fmt.Sprintf(`%s=%q is not "latest" or "v1.N": Pod Security admission evaluates it as latest`, psaEnforceVersionLabel, version))
		case !hasLevel:
			p.notes = append(p.notes, psaEnforceVersionLabel+" without "+psaEnforceLabel+" changes nothing")
		}
	}
	return p
}

// psaConcern is the one thing a Pod Security check is about: a rule of the Pod Security
// Standards, the level that has it and the first policy version that checks it.
type psaConcern struct {
	// policyCheck is the rule's check id in k8s.io/pod-security-admission/policy.
	policyCheck string
	level       psaLevel
	since       int // the rule is checked from policy version v1.since
	// what is what the rule refuses, for reasons ("privileged containers").
	what string
	// refuses says what a pod spec does that the rule at version v refuses, empty when nothing.
	refuses func(spec *corev1.PodSpec, v psaVersion) []string
}

// enforcedBy reports whether a namespace's policy refuses what the concern is about.
func (k psaConcern) enforcedBy(p psaPolicy) bool {
	return p.level.rank() >= k.level.rank() && p.version.atLeast(k.since)
}

// psaContainers visits init, regular and ephemeral containers, as the policy checks do.
func psaContainers(spec *corev1.PodSpec, visit func(c *corev1.Container)) {
	for i := range spec.InitContainers {
		visit(&spec.InitContainers[i])
	}
	for i := range spec.Containers {
		visit(&spec.Containers[i])
	}
	for i := range spec.EphemeralContainers {
		visit((*corev1.Container)(&spec.EphemeralContainers[i].EphemeralContainerCommon))
	}
}

var (
	psaPrivilegedContainers = psaConcern{policyCheck: "privileged", level: psaBaseline, since: 0, what: "privileged containers",
		refuses: func(spec *corev1.PodSpec, _ psaVersion) []string {
			var out []string
			psaContainers(spec, func(c *corev1.Container) {
				if sc := c.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
					out = append(out, fmt.Sprintf("container %q privileged=true", c.Name))
				}
			})
			return out
		}}
	psaHostPID = psaConcern{policyCheck: "hostNamespaces", level: psaBaseline, since: 0, what: "pods sharing the host's process ID namespace (hostPID)",
		refuses: func(spec *corev1.PodSpec, _ psaVersion) []string {
			if spec.HostPID {
				return []string{"hostPID=true"}
			}
			return nil
		}}
	psaHostIPC = psaConcern{policyCheck: "hostNamespaces", level: psaBaseline, since: 0, what: "pods sharing the host's IPC namespace (hostIPC)",
		refuses: func(spec *corev1.PodSpec, _ psaVersion) []string {
			if spec.HostIPC {
				return []string{"hostIPC=true"}
			}
			return nil
		}}
	psaHostNetwork = psaConcern{policyCheck: "hostNamespaces", level: psaBaseline, since: 0, what: "pods sharing the host's network namespace (hostNetwork)",
		refuses: func(spec *corev1.PodSpec, _ psaVersion) []string {
			if spec.HostNetwork {
				return []string{"hostNetwork=true"}
			}
			return nil
		}}
	psaPrivilegeEscalation = psaConcern{policyCheck: "allowPrivilegeEscalation", level: psaRestricted, since: 8,
		what: "containers that allow privilege escalation (allowPrivilegeEscalation not false)",
		refuses: func(spec *corev1.PodSpec, v psaVersion) []string {
			if v.atLeast(25) && spec.OS != nil && spec.OS.Name == corev1.Windows {
				return nil // from v1.25 Windows pods are exempt
			}
			var out []string
			psaContainers(spec, func(c *corev1.Container) {
				sc := c.SecurityContext
				switch {
				case sc == nil || sc.AllowPrivilegeEscalation == nil:
					out = append(out, fmt.Sprintf("container %q allowPrivilegeEscalation unset", c.Name))
				case *sc.AllowPrivilegeEscalation:
					out = append(out, fmt.Sprintf("container %q allowPrivilegeEscalation=true", c.Name))
				}
			})
			return out
		}}
)

// PodSecurityEvidence is what a Pod Security check saw: each namespace's enforcement and the
// running pods the required level would refuse.
type PodSecurityEvidence struct {
	// Requires is the level the check requires namespaces to enforce (baseline or restricted).
	Requires string `json:"requires"`
	// Refuses is what that level refuses that the check is about.
	Refuses string `json:"refuses"`
	// Exempt are the namespaces not judged.
	Exempt []string `json:"exempt"`
	// Namespaces are the judged namespaces, those that do not enforce first (at most 200).
	Namespaces     []NamespacePodSecurity `json:"namespaces"`
	NamespaceCount int                    `json:"namespaceCount"`
	Unenforced     int                    `json:"unenforced"`
	// RefusedPods are the running pods (Running or Pending, outside the exempt namespaces) that the
	// required level would refuse for this check's concern (at most 200, RefusedPodCount in all).
	RefusedPods     []RefusedPod `json:"refusedPods"`
	RefusedPodCount int          `json:"refusedPodCount"`
	Note            string       `json:"note"`
}

// NamespacePodSecurity is one namespace's Pod Security labels and what they enforce.
type NamespacePodSecurity struct {
	Name string `json:"name"`
	// Enforce and EnforceVersion are the labels as written (empty when absent).
	Enforce        string `json:"enforce,omitempty"`
	EnforceVersion string `json:"enforceVersion,omitempty"`
	// Effective is the level:version admission enforces, "privileged:latest" without a label.
	Effective string `json:"effective"`
	// Enforced is whether that refuses this check's concern.
	Enforced bool `json:"enforced"`
	// Warn and Audit are the warn and audit labels, which refuse nothing.
	Warn  string   `json:"warn,omitempty"`
	Audit string   `json:"audit,omitempty"`
	Notes []string `json:"notes,omitempty"`
	// RefusedPods counts the namespace's running pods the required level would refuse.
	RefusedPods int `json:"refusedPods"`
}

// RefusedPod is a running pod the required level would refuse, and why.
type RefusedPod struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Owner     string `json:"owner,omitempty"`
	Phase     string `json:"phase,omitempty"`
	// EvaluatedAt is the level:version the pod was evaluated at: the namespace's own version where
	// it enforces the required level, latest elsewhere.
	EvaluatedAt string   `json:"evaluatedAt"`
	Refused     []string `json:"refused"`
}

const psaNote = "Pod Security admission enforces only the label pod-security.kubernetes.io/enforce; the warn " +
	"and audit labels report violations and refuse nothing. The cluster-wide default (the API server's " +
	"AdmissionConfiguration) cannot be read through the Kubernetes API; EKS sets it to privileged, so a " +
	"namespace without the enforce label enforces nothing. Admission judges pods when they are created: pods " +
	"that ran before the label was set keep running."

// podSecurityCheck builds one of the 4.2.x checks.
func podSecurityCheck(id, title string, sev Severity, concern psaConcern, rationale string) *Check {
	level := string(concern.level)
	orStricter := level
	if concern.level == psaBaseline {
		orStricter = "baseline or restricted"
	}
	pinned := ""
	if concern.since > 0 {
		pinned = fmt.Sprintf(" at a version of v1.%d or later (a namespace pinned to an older version does not check it)", concern.since)
	}
	return register(&Check{
		ID:        id,
		Title:     title,
		Summary:   "every namespace but kube-system enforces Pod Security " + orStricter + " (label pod-security.kubernetes.io/enforce)",
		Severity:  sev,
		Rationale: rationale,
		Links: []Link{
			{Title: "Kubernetes: Pod Security Standards", URL: "https://kubernetes.io/docs/concepts/security/pod-security-standards/"},
			{Title: "Kubernetes: Pod Security Admission", URL: "https://kubernetes.io/docs/concepts/security/pod-security-admission/"},
			{Title: "Kubernetes: Enforce Pod Security Standards with namespace labels", URL: "https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/"},
			{Title: "EKS Best Practices: Pod security", URL: "https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html"},
			{Title: "Implementing Pod Security Standards in Amazon EKS", URL: "https://aws.amazon.com/blogs/containers/implementing-pod-security-standards-in-amazon-eks/"},
			{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
		},
		Parts: []model.Part{model.PartKubernetes},
		Calls: []APICall{kwListNamespaces, kwListPods},
		PassRule: "Every namespace except kube-system carries the label pod-security.kubernetes.io/enforce with the " +
			"level " + orStricter + pinned + ", so Pod Security admission refuses " + concern.what + " there. " +
			"The warn and audit labels do not count: they refuse nothing. A value of the enforce label that is " +
			"not a level is enforced as restricted, as Kubernetes does; an enforce-version that is not \"latest\" " +
			"or \"v1.N\" is evaluated as latest. kube-system is exempt: EKS's own DaemonSets (aws-node, kube-proxy) " +
			"need host networking and privilege there. The evidence gives every namespace's enforce level and " +
			"version and lists the running or pending pods outside kube-system that " + level + " would refuse for " +
			concern.what + "; pods admitted before a namespace was labelled are named in the reason but do not " +
			"fail the check.",
		Defaults: "EKS runs Pod Security admission with a cluster-wide default of privileged that cannot be " +
			"changed, so a namespace without the enforce label refuses nothing. New namespaces, default included, " +
			"have no Pod Security label.",
		Advice: "label each namespace: kubectl label namespace NAME pod-security.kubernetes.io/enforce=" + level +
			" --overwrite (add --dry-run=server first: the warnings name the running pods the level would refuse); " +
			"keep pod-security.kubernetes.io/warn and audit at the level for the warnings and audit annotations",
		judge: func(c *model.Cluster) Outcome { return judgePodSecurity(c, concern) },
	})
}

// The Pod Security checks, CIS 4.2.1 to 4.2.5.
var (
	PodSecurityPrivileged = podSecurityCheck("k8s-psa-privileged", "Namespaces refuse privileged containers (Pod Security baseline)",
		SeverityHigh, psaPrivilegedContainers,
		"A privileged container has every capability and the host's devices, and can load kernel modules or mount "+
			"the host's disks: it is root on the node, and from there reaches every pod on it and the node's IAM "+
			"role. The Pod Security baseline level refuses securityContext.privileged=true.")
	PodSecurityHostPID = podSecurityCheck("k8s-psa-host-pid", "Namespaces refuse pods sharing the host's process IDs (Pod Security baseline)",
		SeverityHigh, psaHostPID,
		"A pod with hostPID sees every process on the node, reads their environment and, with ptrace, can enter "+
			"them: other pods' secrets and the kubelet's credentials are within reach. The Pod Security baseline "+
			"level refuses hostPID=true.")
	PodSecurityHostIPC = podSecurityCheck("k8s-psa-host-ipc", "Namespaces refuse pods sharing the host's IPC namespace (Pod Security baseline)",
		SeverityMedium, psaHostIPC,
		"A pod with hostIPC shares the node's System V IPC and POSIX message queues and shared memory with every "+
			"process on the node, whose data it can read or corrupt. The Pod Security baseline level refuses "+
			"hostIPC=true.")
	PodSecurityHostNetwork = podSecurityCheck("k8s-psa-host-network", "Namespaces refuse pods on the host's network (Pod Security baseline)",
		SeverityMedium, psaHostNetwork,
		"A pod with hostNetwork uses the node's network interfaces: it can listen on the node's ports, reach "+
			"services bound to localhost, sniff traffic with NET_RAW, and is not subject to network policies or "+
			"security groups for pods. The Pod Security baseline level refuses hostNetwork=true.")
	PodSecurityPrivilegeEscalation = podSecurityCheck("k8s-psa-privilege-escalation", "Namespaces refuse containers that allow privilege escalation (Pod Security restricted)",
		SeverityMedium, psaPrivilegeEscalation,
		"A container that allows privilege escalation lets its processes gain more privileges than their parent, "+
			"through set-user-ID binaries or file capabilities: a compromised non-root process becomes root in the "+
			"container. Only the Pod Security restricted level requires allowPrivilegeEscalation=false on every "+
			"container.")
)

func judgePodSecurity(c *model.Cluster, concern psaConcern) Outcome {
	kube := c.Kube
	ev := &PodSecurityEvidence{Requires: string(concern.level), Refuses: concern.what, Exempt: []string{kwKubeSystem},
		Namespaces: []NamespacePodSecurity{}, RefusedPods: []RefusedPod{}, Note: psaNote}

	policies := map[string]psaPolicy{}
	var judged []NamespacePodSecurity
	byName := map[string]int{}
	for _, ns := range kube.Namespaces {
		if ns.Name == kwKubeSystem {
			continue
		}
		if _, dup := byName[ns.Name]; dup {
			continue
		}
		p := psaEnforced(ns.Labels)
		policies[ns.Name] = p
		byName[ns.Name] = len(judged)
		judged = append(judged, NamespacePodSecurity{Name: ns.Name, Enforce: ns.Labels[psaEnforceLabel],
			EnforceVersion: ns.Labels[psaEnforceVersionLabel], Effective: p.String(), Enforced: concern.enforcedBy(p),
			Warn: ns.Labels[psaWarnLabel], Audit: ns.Labels[psaAuditLabel], Notes: p.notes})
	}

	// Running pods the required level would refuse, evaluated at the namespace's own version
	// where it enforces the concern, at latest (what the advised label would enforce) elsewhere.
	var refused []RefusedPod
	var admittedBefore []string // refused pods in namespaces that do enforce: admitted before the label
	for i := range kube.Pods {
		p := &kube.Pods[i]
		if p.Namespace == kwKubeSystem || !kwActive(p) {
			continue
		}
		v := psaLatest
		pol, known := policies[p.Namespace]
		if known && concern.enforcedBy(pol) {
			v = pol.version
		}
		what := concern.refuses(&p.Spec, v)
		if len(what) == 0 {
			continue
		}
		refused = append(refused, RefusedPod{Namespace: p.Namespace, Name: p.Name, Owner: p.Owner, Phase: p.Phase,
			EvaluatedAt: string(concern.level) + ":" + v.String(), Refused: what})
		if j, ok := byName[p.Namespace]; ok {
			judged[j].RefusedPods++
		}
		if known && concern.enforcedBy(pol) {
			admittedBefore = append(admittedBefore, p.Namespace+"/"+p.Name)
		}
	}
	sort.Slice(refused, func(i, j int) bool {
		if refused[i].Namespace != refused[j].Namespace {
			return refused[i].Namespace < refused[j].Namespace
		}
		return refused[i].Name < refused[j].Name
	})
	ev.RefusedPodCount = len(refused)
	ev.RefusedPods = kwCap(refused)

	var unenforced []string
	for _, ns := range judged {
		if !ns.Enforced {
			unenforced = append(unenforced, ns.Name+psaWhyNot(ns, policies[ns.Name], concern))
		}
	}
	sort.SliceStable(judged, func(i, j int) bool {
		if judged[i].Enforced != judged[j].Enforced {
			return !judged[i].Enforced
		}
		return judged[i].Name < judged[j].Name
	})
	ev.NamespaceCount = len(judged)
	ev.Unenforced = len(unenforced)
	ev.Namespaces = kwCap(judged)

	var pods []string
	for _, r := range refused {
		pods = append(pods, r.Namespace+"/"+r.Name)
	}
	level := string(concern.level)
	if len(unenforced) > 0 {
		reason := fmt.Sprintf("%s of %d outside kube-system %s not enforce Pod Security %s with the label %s, so %s are admitted there: %s",
			count(len(unenforced), "namespace", "namespaces"), len(judged), kwVerb(len(unenforced), "does", "do"), psaOrStricter(concern), psaEnforceLabel,
			concern.what, nameList(unenforced, kwReasonCap))
		if len(pods) > 0 {
			reason += fmt.Sprintf("; %s would be refused by %s: %s", count(len(pods), "running pod", "running pods"), level, nameList(pods, kwReasonCap))
		}
		return Outcome{Status: finding.Fail, Evidence: ev, Reason: reason, Remediation: psaRemediation(concern, judged)}
	}
	var reason string
	if len(judged) == 0 {
		reason = "no namespace besides kube-system to judge"
	} else {
		reason = fmt.Sprintf("all %s outside kube-system enforce Pod Security %s, which refuses %s",
			count(len(judged), "namespace", "namespaces"), psaOrStricter(concern), concern.what)
	}
	if len(admittedBefore) > 0 {
		reason += fmt.Sprintf("; %s admitted before the label was set (or by an exemption) would now be refused: %s",
			count(len(admittedBefore), "running pod", "running pods"), nameList(admittedBefore, kwReasonCap))
	}
	return Outcome{Status: finding.Pass, Evidence: ev, Reason: reason}
}

// psaOrStricter words the levels that satisfy a concern.
func psaOrStricter(k psaConcern) string {
	if k.level == psaBaseline {
		return "baseline or restricted"
	}
	if k.since > 0 {
		return fmt.Sprintf("%s (v1.%d or later)", k.level, k.since)
	}
	return string(k.level)
}

// psaWhyNot says briefly why a namespace does not enforce a concern, for the reason: nothing for
// a namespace without any Pod Security label, the most common case.
func psaWhyNot(ns NamespacePodSecurity, p psaPolicy, k psaConcern) string {
	switch {
	case !p.labelled && (ns.Warn != "" || ns.Audit != ""):
		return " (warn/audit labels only)"
	case !p.labelled:
		return ""
	case p.level.rank() < k.level.rank():
		return " (enforce=" + ns.Enforce + ")"
	default:
		return " (" + p.String() + ": before v1." + strconv.Itoa(k.since) + ")"
	}
}

// psaRemediation is the kubectl command that labels the namespaces that do not enforce.
func psaRemediation(k psaConcern, judged []NamespacePodSecurity) string {
	var names []string
	pinned := false
	for _, ns := range judged {
		if !ns.Enforced {
			names = append(names, shellQuote(ns.Name))
			if ns.EnforceVersion != "" {
				pinned = true
			}
		}
	}
	sort.Strings(names)
	label := psaEnforceLabel + "=" + string(k.level)
	if pinned {
		label += " " + psaEnforceVersionLabel + "=latest"
	}
	cmd := "kubectl label namespace " + strings.Join(names, " ") + " " + label + " --overwrite"
	return cmd + " (run it with --dry-run=server first: the warnings name the running pods that " + string(k.level) +
		" would refuse; they keep running, but could not be created again)"
}
