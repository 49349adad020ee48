package check

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

var kwPSAChecks = []*Check{PodSecurityPrivileged, PodSecurityHostPID, PodSecurityHostIPC, PodSecurityHostNetwork, PodSecurityPrivilegeEscalation}

// kwWithNamespace adds a namespace with labels and running pods of the given specs.
func kwWithNamespace(name string, labels map[string]string, specs ...corev1.PodSpec) func(k *model.Kube) {
	return func(k *model.Kube) {
		k.Namespaces = append(k.Namespaces, model.Namespace{Name: name, Labels: labels})
		for i, s := range specs {
			k.Pods = append(k.Pods, model.Pod{Namespace: name, Name: fmt.Sprintf("pod-%d", i), Phase: "Running", Spec: s})
		}
	}
}

func kwEdits(edits ...func(k *model.Kube)) *model.Cluster {
	return kwCluster(func(k *model.Kube) {
		for _, e := range edits {
			e(k)
		}
	})
}

func kwSpec(edit func(s *corev1.PodSpec)) corev1.PodSpec {
	s := corev1.PodSpec{Containers: []corev1.Container{kwHardenedContainer("app")}}
	edit(&s)
	return s
}

var (
	kwPrivilegedSpec = kwSpec(func(s *corev1.PodSpec) { s.Containers[0].SecurityContext.Privileged = kwBool(true) })
	kwHostPIDSpec    = kwSpec(func(s *corev1.PodSpec) { s.HostPID = true })
	kwHostIPCSpec    = kwSpec(func(s *corev1.PodSpec) { s.HostIPC = true })
	kwHostNetSpec    = kwSpec(func(s *corev1.PodSpec) { s.HostNetwork = true })
	// kwEscalatingSpec passes baseline and fails restricted: allowPrivilegeEscalation is unset.
	kwEscalatingSpec = corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}
	kwWindowsSpec    = corev1.PodSpec{OS: &corev1.PodOS{Name: corev1.Windows}, Containers: []corev1.Container{{Name: "iis", Image: "iis"}}}
)

func kwLabels(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func kwStatuses(t *testing.T, c *model.Cluster, want ...finding.Status) {
	t.Helper()
	for i, k := range kwPSAChecks {
		if o := k.Evaluate(c); o.Status != want[i] {
			t.Errorf("%s: %s, want %s: %s", k.ID, o.Status, want[i], o.Reason)
		}
	}
}

const (
	kwP = finding.Pass
	kwF = finding.Fail
)

func TestPodSecurityLevels(t *testing.T) {
	baseline := kwLabels(psaEnforceLabel, "baseline")
	t.Run("baseline refuses everything but privilege escalation", func(t *testing.T) {
		kwStatuses(t, kwEdits(kwWithNamespace("team", baseline, kwEscalatingSpec)), kwP, kwP, kwP, kwP, kwF)
	})
	t.Run("restricted refuses all", func(t *testing.T) {
		kwStatuses(t, kwEdits(kwWithNamespace("team", kwLabels(psaEnforceLabel, "restricted"))), kwP, kwP, kwP, kwP, kwP)
	})
	t.Run("privileged enforces nothing", func(t *testing.T) {
		kwStatuses(t, kwEdits(kwWithNamespace("team", kwLabels(psaEnforceLabel, "privileged"))), kwF, kwF, kwF, kwF, kwF)
	})
	t.Run("warn and audit refuse nothing", func(t *testing.T) {
		c := kwEdits(kwWithNamespace("team", kwLabels(psaWarnLabel, "restricted", psaAuditLabel, "restricted")))
		kwStatuses(t, c, kwF, kwF, kwF, kwF, kwF)
		o := PodSecurityPrivileged.Evaluate(c)
		if !strings.Contains(o.Reason, "team (warn/audit labels only)") {
			t.Errorf("reason: %s", o.Reason)
		}
		if ev := o.Evidence.(*PodSecurityEvidence); !strings.Contains(ev.Note, "warn and audit labels report violations and refuse nothing") ||
			ev.Namespaces[0].Name != "team" || ev.Namespaces[0].Warn != "restricted" || ev.Namespaces[0].Enforced {
			t.Errorf("evidence: %+v", ev)
		}
	})
	t.Run("no label", func(t *testing.T) {
		o := PodSecurityHostNetwork.Evaluate(kwEdits(kwWithNamespace("team", nil)))
		if o.Status != kwF || !strings.Contains(o.Reason, "1 namespace of 5 outside kube-system does not enforce Pod Security baseline or restricted") ||
			!strings.Contains(o.Reason, ": team") {
			t.Errorf("%s %s", o.Status, o.Reason)
		}
	})
	t.Run("enforce=privileged named", func(t *testing.T) {
		o := PodSecurityPrivilegeEscalation.Evaluate(kwEdits(kwWithNamespace("team", baseline)))
		if !strings.Contains(o.Reason, "team (enforce=baseline)") || !strings.Contains(o.Reason, "restricted (v1.8 or later)") {
			t.Errorf("%s", o.Reason)
		}
	})
}

// TestPodSecurityRunningPods: the evidence lists the running pods the required level would refuse,
// each with what this check is about.
func TestPodSecurityRunningPods(t *testing.T) {
	c := kwEdits(kwWithNamespace("team", nil, kwPrivilegedSpec, kwHostPIDSpec, kwHostIPCSpec, kwHostNetSpec, kwEscalatingSpec, kwSpec(func(*corev1.PodSpec) {})))
	want := map[*Check]string{
		PodSecurityPrivileged:          `team/pod-0: container "app" privileged=true`,
		PodSecurityHostPID:             "team/pod-1: hostPID=true",
		PodSecurityHostIPC:             "team/pod-2: hostIPC=true",
		PodSecurityHostNetwork:         "team/pod-3: hostNetwork=true",
		PodSecurityPrivilegeEscalation: `team/pod-4: container "app" allowPrivilegeEscalation unset`,
	}
	for k, w := range want {
		o := k.Evaluate(c)
		ev := o.Evidence.(*PodSecurityEvidence)
		var got []string
		for _, p := range ev.RefusedPods {
			got = append(got, p.Namespace+"/"+p.Name+": "+strings.Join(p.Refused, ", "))
		}
		if strings.Join(got, "; ") != w || ev.RefusedPodCount != 1 {
			t.Errorf("%s: refused %q, want %q", k.ID, got, w)
		}
		if !strings.Contains(o.Reason, "1 running pod would be refused") || !strings.Contains(o.Reason, strings.SplitN(w, ":", 2)[0]) {
			t.Errorf("%s: reason %s", k.ID, o.Reason)
		}
		if ev.Namespaces[0].Name != "team" || ev.Namespaces[0].RefusedPods != 1 || ev.Namespaces[0].Effective != "privileged:latest" {
			t.Errorf("%s: namespace %+v", k.ID, ev.Namespaces[0])
		}
	}
}

func TestPodSecurityContainersAndPhases(t *testing.T) {
	initPriv := corev1.PodSpec{InitContainers: []corev1.Container{{Name: "init", SecurityContext: &corev1.SecurityContext{Privileged: kwBool(true)}}},
		Containers: []corev1.Container{kwHardenedContainer("app")}}
	ephemeral := corev1.PodSpec{Containers: []corev1.Container{kwHardenedContainer("app")},
		EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger",
			SecurityContext: &corev1.SecurityContext{Privileged: kwBool(true), AllowPrivilegeEscalation: kwBool(true)}}}}}
	notPriv := kwSpec(func(s *corev1.PodSpec) { s.Containers[0].SecurityContext.Privileged = kwBool(false) })
	c := kwEdits(kwWithNamespace("team", nil, initPriv, ephemeral, notPriv), func(k *model.Kube) {
		k.Pods = append(k.Pods,
			model.Pod{Namespace: "team", Name: "pending", Phase: "Pending", Spec: kwPrivilegedSpec},
			model.Pod{Namespace: "team", Name: "done", Phase: "Succeeded", Spec: kwPrivilegedSpec},
			model.Pod{Namespace: "team", Name: "failed", Phase: "Failed", Spec: kwPrivilegedSpec})
	})
	ev := PodSecurityPrivileged.Evaluate(c).Evidence.(*PodSecurityEvidence)
	var got []string
	for _, p := range ev.RefusedPods {
		got = append(got, p.Name+" "+strings.Join(p.Refused, ","))
	}
	want := `pending container "app" privileged=true|pod-0 container "init" privileged=true|pod-1 container "debugger" privileged=true`
	if strings.Join(got, "|") != want {
		t.Errorf("refused:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	ape := PodSecurityPrivilegeEscalation.Evaluate(c).Evidence.(*PodSecurityEvidence)
	for _, p := range ape.RefusedPods {
		if p.Name == "pod-1" && strings.Join(p.Refused, ",") != `container "debugger" allowPrivilegeEscalation=true` {
			t.Errorf("ephemeral: %v", p.Refused)
		}
	}
}

// TestPodSecurityVersions: the enforce-version label decides what a namespace enforces, and the
// version pods are evaluated at.
func TestPodSecurityVersions(t *testing.T) {
	pinned := func(level, version string, specs ...corev1.PodSpec) *model.Cluster {
		return kwEdits(kwWithNamespace("team", kwLabels(psaEnforceLabel, level, psaEnforceVersionLabel, version), specs...))
	}
	kwStatuses(t, pinned("restricted", "v1.7"), kwP, kwP, kwP, kwP, kwF)
	kwStatuses(t, pinned("restricted", "v1.8"), kwP, kwP, kwP, kwP, kwP)
	kwStatuses(t, pinned("baseline", "v1.0"), kwP, kwP, kwP, kwP, kwF)
	kwStatuses(t, pinned("restricted", "v1.99"), kwP, kwP, kwP, kwP, kwP)
	o := PodSecurityPrivilegeEscalation.Evaluate(pinned("restricted", "v1.7"))
	if !strings.Contains(o.Reason, "team (restricted:v1.7: before v1.8)") || !strings.Contains(o.Remediation, psaEnforceVersionLabel+"=latest") {
		t.Errorf("%s / %s", o.Reason, o.Remediation)
	}
	ev := o.Evidence.(*PodSecurityEvidence)
	if ns := ev.Namespaces[0]; ns.Enforce != "restricted" || ns.EnforceVersion != "v1.7" || ns.Effective != "restricted:v1.7" || ns.Enforced {
		t.Errorf("namespace %+v", ns)
	}

	// A Windows pod without allowPrivilegeEscalation is exempt from v1.25 on.
	if ev := PodSecurityPrivilegeEscalation.Evaluate(pinned("restricted", "latest", kwWindowsSpec)).Evidence.(*PodSecurityEvidence); ev.RefusedPodCount != 0 {
		t.Errorf("a Windows pod refused at latest: %+v", ev.RefusedPods)
	}
	o = PodSecurityPrivilegeEscalation.Evaluate(pinned("restricted", "v1.24", kwWindowsSpec))
	ev = o.Evidence.(*PodSecurityEvidence)
	if o.Status != kwP || ev.RefusedPodCount != 1 || ev.RefusedPods[0].EvaluatedAt != "restricted:v1.24" ||
		!strings.Contains(o.Reason, "1 running pod admitted before the label was set (or by an exemption) would now be refused: team/pod-0") {
		t.Errorf("a Windows pod at v1.24: %s %s %+v", o.Status, o.Reason, ev.RefusedPods)
	}
	// Where the namespace does not enforce, pods are evaluated at latest.
	o = PodSecurityPrivilegeEscalation.Evaluate(pinned("baseline", "v1.24", kwWindowsSpec, kwEscalatingSpec))
	ev = o.Evidence.(*PodSecurityEvidence)
	if ev.RefusedPodCount != 1 || ev.RefusedPods[0].Name != "pod-1" || ev.RefusedPods[0].EvaluatedAt != "restricted:latest" {
		t.Errorf("evaluated at: %+v", ev.RefusedPods)
	}
}

// TestPodSecurityInvalidLabels: Pod Security admission enforces an enforce level it cannot parse as
// restricted, and an enforce-version it cannot parse as latest.
func TestPodSecurityInvalidLabels(t *testing.T) {
	c := kwEdits(kwWithNamespace("legacy", kwLabels(psaEnforceLabel, "Baseline", psaEnforceVersionLabel, "1.25"), kwEscalatingSpec))
	kwStatuses(t, c, kwP, kwP, kwP, kwP, kwP)
	o := PodSecurityPrivilegeEscalation.Evaluate(c)
	ev := o.Evidence.(*PodSecurityEvidence)
	var ns NamespacePodSecurity
	for _, n := range ev.Namespaces {
		if n.Name == "legacy" {
			ns = n
		}
	}
	if ns.Effective != "restricted:latest" || !ns.Enforced || len(ns.Notes) != 2 ||
		!strings.Contains(ns.Notes[0], `"Baseline" is not a level`) || !strings.Contains(ns.Notes[0], "enforces restricted") ||
		!strings.Contains(ns.Notes[1], `"1.25" is not "latest" or "v1.N"`) {
		t.Errorf("namespace %+v", ns)
	}
	if !strings.Contains(o.Reason, "admitted before the label was set") || ev.RefusedPodCount != 1 {
		t.Errorf("%s", o.Reason)
	}
	// A version without a level enforces nothing.
	c = kwEdits(kwWithNamespace("team", kwLabels(psaEnforceVersionLabel, "v1.30")))
	kwStatuses(t, c, kwF, kwF, kwF, kwF, kwF)
	if ev := PodSecurityPrivileged.Evaluate(c).Evidence.(*PodSecurityEvidence); !strings.Contains(strings.Join(ev.Namespaces[0].Notes, ""), "changes nothing") {
		t.Errorf("%+v", ev.Namespaces[0])
	}
	for _, v := range []string{"v1", "v2.0", "v1.01", "V1.2", "latest ", ""} {
		if _, ok := parsePSAVersion(v); ok {
			t.Errorf("%q parsed", v)
		}
	}
	for _, v := range []string{"latest", "v1.0", "v1.8", "v1.35", "v1.100"} {
		if _, ok := parsePSAVersion(v); !ok {
			t.Errorf("%q not parsed", v)
		}
	}
}

// TestPodSecurityKubeSystem: kube-system is neither judged nor are its pods listed, whatever its
// labels and pods.
func TestPodSecurityKubeSystem(t *testing.T) {
	c := kwCluster(nil)
	for _, k := range kwPSAChecks {
		o := k.Evaluate(c)
		ev := o.Evidence.(*PodSecurityEvidence)
		if o.Status != kwP || ev.RefusedPodCount != 0 || ev.NamespaceCount != 4 || strings.Join(ev.Exempt, ",") != "kube-system" {
			t.Errorf("%s: %s %s %+v", k.ID, o.Status, o.Reason, ev)
		}
		for _, ns := range ev.Namespaces {
			if ns.Name == "kube-system" {
				t.Errorf("%s judges kube-system", k.ID)
			}
		}
		if !strings.Contains(o.Reason, "all 4 namespaces outside kube-system enforce") {
			t.Errorf("%s: %s", k.ID, o.Reason)
		}
	}
	only := kwCluster(func(k *model.Kube) { k.Namespaces = []model.Namespace{{Name: "kube-system"}} })
	if o := PodSecurityPrivileged.Evaluate(only); o.Status != kwP || !strings.Contains(o.Reason, "no namespace besides kube-system") {
		t.Errorf("%s %s", o.Status, o.Reason)
	}
}

// TestPodSecurityNamespacePositions: a namespace without enforcement is found first, in the middle
// or last of the list.
func TestPodSecurityNamespacePositions(t *testing.T) {
	names := []string{"alpha", "bravo", "charlie", "delta", "echo"}
	for _, bad := range []int{0, 2, 4} {
		c := kwCluster(func(k *model.Kube) {
			k.Namespaces = nil
			for i, n := range names {
				labels := kwRestricted()
				if i == bad {
					labels = nil
				}
				k.Namespaces = append(k.Namespaces, model.Namespace{Name: n, Labels: labels})
			}
		})
		for _, k := range kwPSAChecks {
			o := k.Evaluate(c)
			if o.Status != kwF || !strings.HasSuffix(strings.SplitN(o.Reason, "; ", 2)[0], ": "+names[bad]) {
				t.Errorf("%s with %s unlabelled: %s %s", k.ID, names[bad], o.Status, o.Reason)
			}
			ev := o.Evidence.(*PodSecurityEvidence)
			if ev.Namespaces[0].Name != names[bad] || ev.Unenforced != 1 || ev.NamespaceCount != 5 {
				t.Errorf("%s: the unenforced namespace is not listed first: %+v", k.ID, ev.Namespaces[0])
			}
		}
	}
}

// TestPodSecurityEmptyCluster: a cluster with nothing deployed fails: default, kube-node-lease and
// kube-public have no enforce label.
func TestPodSecurityEmptyCluster(t *testing.T) {
	for _, k := range kwPSAChecks {
		o := k.Evaluate(kwEmpty())
		if o.Status != kwF || !strings.Contains(o.Reason, "3 namespaces of 3 outside kube-system do not enforce") ||
			!strings.Contains(o.Reason, ": default, kube-node-lease, kube-public") || strings.Contains(o.Reason, "would be refused") {
			t.Errorf("%s: %s %s", k.ID, o.Status, o.Reason)
		}
		level := "baseline"
		if k == PodSecurityPrivilegeEscalation {
			level = "restricted"
		}
		want := "kubectl label namespace default kube-node-lease kube-public pod-security.kubernetes.io/enforce=" + level + " --overwrite"
		if !strings.HasPrefix(o.Remediation, want) {
			t.Errorf("%s: remediation %q", k.ID, o.Remediation)
		}
	}
}

func TestPodSecurityCaps(t *testing.T) {
	c := kwCluster(func(k *model.Kube) {
		for i := range 260 {
			ns := fmt.Sprintf("team-%03d", i)
			k.Namespaces = append(k.Namespaces, model.Namespace{Name: ns})
			k.Pods = append(k.Pods, model.Pod{Namespace: ns, Name: "p", Phase: "Running", Spec: kwPrivilegedSpec})
		}
	})
	o := PodSecurityPrivileged.Evaluate(c)
	ev := o.Evidence.(*PodSecurityEvidence)
	if ev.NamespaceCount != 264 || len(ev.Namespaces) != kwListCap || ev.Unenforced != 260 || ev.RefusedPodCount != 260 || len(ev.RefusedPods) != kwListCap {
		t.Errorf("caps: %d/%d namespaces, %d/%d pods", len(ev.Namespaces), ev.NamespaceCount, len(ev.RefusedPods), ev.RefusedPodCount)
	}
	if !strings.Contains(o.Reason, "team-019 and 240 more") || !strings.Contains(o.Reason, "team-019/p and 240 more") || strings.Contains(o.Reason, "team-020") {
		t.Errorf("reason names more than 20: %s", o.Reason)
	}
}
