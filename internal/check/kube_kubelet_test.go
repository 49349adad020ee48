package check

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/kubeapi"
)

// al2023Configz is the body GET /api/v1/nodes/NAME/proxy/configz answers for an Amazon Linux 2023
// node of Kubernetes 1.33 bootstrapped by nodeadm with its defaults: the kubelet's configuration,
// defaulted, converted to kubelet.config.k8s.io/v1beta1 and marshalled by encoding/json. It was
// produced by marshalling the v1beta1 type (k8s.io/kubelet config/v1beta1) filled as the kubelet
// fills it, so the omitempty fields at their zero value are absent as they are on a real node:
// readOnlyPort (0), rotateCertificates (false), tlsCertFile (""), no kind or apiVersion.
const al2023Configz = `{"kubeletconfig":{"enableServer":true,"syncFrequency":"1m0s","fileCheckFrequency":"20s",` +
	`"httpCheckFrequency":"20s","address":"0.0.0.0","port":10250,"tlsCipherSuites":["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",` +
	`"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],"serverTLSBootstrap":true,"authentication":{"x509":{"clientCAFile":` +
	`"/etc/kubernetes/pki/ca.crt"},"webhook":{"enabled":true,"cacheTTL":"2m0s"},"anonymous":{"enabled":false}},` +
	`"authorization":{"mode":"Webhook","webhook":{"cacheAuthorizedTTL":"5m0s","cacheUnauthorizedTTL":"30s"}},` +
	`"registryPullQPS":5,"registryBurst":10,"eventRecordQPS":50,"eventBurst":100,"enableDebuggingHandlers":true,` +
	`"healthzPort":10248,"healthzBindAddress":"127.0.0.1","oomScoreAdj":-999,"clusterDomain":"cluster.local",` +
	`"clusterDNS":["172.20.0.10"],"streamingConnectionIdleTimeout":"4h0m0s","nodeStatusUpdateFrequency":"10s",` +
	`"nodeStatusReportFrequency":"5m0s","nodeLeaseDurationSeconds":40,"imageMinimumGCAge":"2m0s","imageMaximumGCAge":"0s",` +
	`"imageGCHighThresholdPercent":85,"imageGCLowThresholdPercent":80,"volumeStatsAggPeriod":"1m0s","cgroupRoot":"/",` +
	`"cgroupsPerQOS":true,"cgroupDriver":"systemd","cpuManagerPolicy":"none","cpuManagerReconcilePeriod":"10s",` +
	`"memoryManagerPolicy":"None","topologyManagerPolicy":"none","topologyManagerScope":"container",` +
	`"runtimeRequestTimeout":"2m0s","hairpinMode":"hairpin-veth","maxPods":29,"podPidsLimit":-1,"resolvConf":"/etc/resolv.conf",` +
	`"cpuCFSQuota":true,"cpuCFSQuotaPeriod":"100ms","nodeStatusMaxImages":50,"maxOpenFiles":1000000,` +
	`"contentType":"application/vnd.kubernetes.protobuf","kubeAPIQPS":50,"kubeAPIBurst":100,"serializeImagePulls":false,` +
	`"evictionHard":{"memory.available":"100Mi","nodefs.available":"10%","nodefs.inodesFree":"5%"},` +
	`"evictionPressureTransitionPeriod":"5m0s","enableControllerAttachDetach":true,"protectKernelDefaults":true,` +
	`"makeIPTablesUtilChains":true,"iptablesMasqueradeBit":14,"iptablesDropBit":15,` +
	`"featureGates":{"DynamicResourceAllocation":true,"RotateKubeletServerCertificate":true},"failSwapOn":true,` +
	`"memorySwap":{},"containerLogMaxSize":"10Mi","containerLogMaxFiles":5,"containerLogMaxWorkers":1,` +
	`"containerLogMonitorInterval":"10s","configMapAndSecretChangeDetectionStrategy":"Watch",` +
	`"kubeReserved":{"cpu":"70m","ephemeral-storage":"1Gi","memory":"442Mi"},"systemReservedCgroup":"/system",` +
	`"kubeReservedCgroup":"/runtime","enforceNodeAllocatable":["pods"],` +
	`"volumePluginDir":"/usr/libexec/kubernetes/kubelet-plugins/volume/exec/","providerID":"aws:///us-east-1a/i-0abc123def4567890",` +
	`"logging":{"format":"text","flushFrequency":"5s","verbosity":2,"options":{"text":{"infoBufferSize":"0"},"json":{"infoBufferSize":"0"}}},` +
	`"enableSystemLogHandler":true,"shutdownGracePeriod":"0s","shutdownGracePeriodCriticalPods":"0s","crashLoopBackOff":{},` +
	`"enableProfilingHandler":true,"enableDebugFlagsHandler":true,"seccompDefault":false,"memoryThrottlingFactor":0.9,` +
	`"registerNode":true,"localStorageCapacityIsolation":true,"containerRuntimeEndpoint":"unix:///run/containerd/containerd.sock",` +
	`"failCgroupV1":false}}`

// al2023 is the kubeletconfig object of al2023Configz.
func al2023(t testing.TB) json.RawMessage {
	t.Helper()
	raw, err := kubeapi.ParseConfigz([]byte(al2023Configz))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// edited returns the AL2023 configuration with a field set (a value) or removed (nil), the field
// named by its path ("authentication.anonymous.enabled").
func edited(t testing.TB, edits map[string]any) json.RawMessage {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(al2023(t), &doc); err != nil {
		t.Fatal(err)
	}
	for path, v := range edits {
		parts := strings.Split(path, ".")
		m := doc
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		if v == nil {
			delete(m, parts[len(parts)-1])
		} else {
			m[parts[len(parts)-1]] = v
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const nodeVersion = "v1.33.5-eks-113cf36"

func node(name string, raw json.RawMessage) model.Node {
	return model.Node{Name: name, KubeletVersion: nodeVersion, OSImage: "Amazon Linux 2023.8.20250915", Kubelet: raw}
}

func silent(name, why string) model.Node {
	return model.Node{Name: name, KubeletVersion: nodeVersion, KubeletError: why}
}

// kubeletCluster is a live, active cluster whose kubelets were read.
func kubeletCluster(nodes ...model.Node) *model.Cluster {
	return &model.Cluster{Name: "prod", Region: "us-east-1", Source: model.SourceAWS, Status: model.StatusActive,
		Parts: model.Parts{model.PartKubelet}, Kube: &model.Kube{Server: "https://abc.gr7.us-east-1.eks.amazonaws.com", Nodes: nodes}}
}

var kubeletChecks = []*Check{KubeletAnonymousAuth, KubeletAuthorizationMode, KubeletClientCA, KubeletReadOnlyPort,
	KubeletStreamingTimeout, KubeletIPTablesChains, KubeletEventQPS, KubeletCertRotation, KubeletServerCertRotation}

func TestKubeletParseAL2023(t *testing.T) {
	k, err := ParseKubeletConfig(al2023(t))
	if err != nil {
		t.Fatal(err)
	}
	str := func(p *string) string {
		if p == nil {
			return "<absent>"
		}
		return *p
	}
	if k.AnonymousAuth == nil || *k.AnonymousAuth || k.WebhookAuth == nil || !*k.WebhookAuth || !k.X509 ||
		str(k.ClientCAFile) != "/etc/kubernetes/pki/ca.crt" || str(k.AuthorizationMode) != "Webhook" {
		t.Errorf("authentication and authorization: %+v", k)
	}
	if k.ReadOnlyPort != nil || k.RotateCertificates != nil || k.TLSCertFile != nil {
		t.Errorf("fields the kubelet omits at their zero value are present: %+v", k)
	}
	if str(k.StreamingConnectionIdleTimeout) != "4h0m0s" || k.MakeIPTablesUtilChains == nil || !*k.MakeIPTablesUtilChains ||
		k.EventRecordQPS == nil || *k.EventRecordQPS != 50 || k.ServerTLSBootstrap == nil || !*k.ServerTLSBootstrap ||
		!k.FeatureGates[klServerCertGate] {
		t.Errorf("the other fields: %+v", k)
	}
}

// TestKubeletInternalShape: a configuration with the Go field names of the kubelet's internal type
// (which carries no JSON tags) reads the same, as encoding/json matches names without case.
func TestKubeletInternalShape(t *testing.T) {
	raw := json.RawMessage(`{"Authentication":{"X509":{"ClientCAFile":"/ca.crt"},"Webhook":{"Enabled":true,"CacheTTL":"2m0s"},` +
		`"Anonymous":{"Enabled":false}},"Authorization":{"Mode":"Webhook"},"ReadOnlyPort":10255,` +
		`"StreamingConnectionIdleTimeout":"0s","MakeIPTablesUtilChains":true,"EventRecordQPS":5,"RotateCertificates":true,` +
		`"ServerTLSBootstrap":false,"TLSCertFile":"","FeatureGates":null}`)
	k, err := ParseKubeletConfig(raw)
	if err != nil {
		t.Fatal(err)
	}
	if *k.ClientCAFile != "/ca.crt" || *k.ReadOnlyPort != 10255 || *k.StreamingConnectionIdleTimeout != "0s" ||
		*k.EventRecordQPS != 5 || !*k.RotateCertificates || *k.ServerTLSBootstrap || *k.AnonymousAuth {
		t.Errorf("%+v", k)
	}
	c := kubeletCluster(node("ip-10-0-1-5.ec2.internal", raw))
	for id, want := range map[*Check]finding.Status{KubeletReadOnlyPort: finding.Fail, KubeletStreamingTimeout: finding.Fail,
		KubeletCertRotation: finding.Pass, KubeletServerCertRotation: finding.Fail, KubeletAnonymousAuth: finding.Pass} {
		if o := id.Evaluate(c); o.Status != want {
			t.Errorf("%s: %s (%s), want %s", id.ID, o.Status, o.Reason, want)
		}
	}
}

// TestKubeletAL2023Passes: three nodes as nodeadm leaves them pass every control but 3.2.8, which
// is MANUAL: their kubelets authenticate with an IAM token and rotateCertificates is off.
func TestKubeletAL2023Passes(t *testing.T) {
	raw := al2023(t)
	c := kubeletCluster(node("ip-10-0-1-5.ec2.internal", raw), node("ip-10-0-2-6.ec2.internal", raw), node("ip-10-0-3-7.ec2.internal", raw))
	want := map[string]string{
		"kubelet-anonymous-auth":       "authentication.anonymous.enabled is false on all 3 nodes",
		"kubelet-authorization-mode":   "authorization.mode is Webhook, webhook authentication on on all 3 nodes",
		"kubelet-client-ca":            "is /etc/kubernetes/pki/ca.crt on all 3 nodes",
		"kubelet-read-only-port":       "readOnlyPort is absent (0) on all 3 nodes",
		"kubelet-streaming-timeout":    "is 4h0m0s on all 3 nodes",
		"kubelet-iptables-chains":      "makeIPTablesUtilChains is true on all 3 nodes",
		"kubelet-event-qps":            "eventRecordQPS is 50 on all 3 nodes",
		"kubelet-server-cert-rotation": "serverTLSBootstrap true, RotateKubeletServerCertificate true on all 3 nodes",
	}
	for _, k := range kubeletChecks {
		o := k.Evaluate(c)
		if k == KubeletCertRotation {
			if o.Status != finding.Manual || !strings.Contains(o.Reason, "absent (false)") || !strings.Contains(o.Reason, "IAM token") {
				t.Errorf("%s: %s %s", k.ID, o.Status, o.Reason)
			}
			continue
		}
		if o.Status != finding.Pass || !strings.Contains(o.Reason, want[k.ID]) {
			t.Errorf("%s: %s %q, want PASS containing %q", k.ID, o.Status, o.Reason, want[k.ID])
		}
		ev := o.Evidence.(*KubeletEvidence)
		if ev.NodeCount != 3 || ev.Passing != 3 || ev.Answered != 3 || len(ev.Nodes) != 3 || ev.Nodes[0].Verdict != "pass" || ev.Nodes[0].KubeletVersion != nodeVersion {
			t.Errorf("%s evidence: %+v", k.ID, ev)
		}
	}
}

// TestKubeletSettings: each control on one setting changed from the AL2023 node.
func TestKubeletSettings(t *testing.T) {
	tests := []struct {
		check  *Check
		name   string
		edits  map[string]any
		want   finding.Status
		reason string
	}{
		{KubeletAnonymousAuth, "anonymous on", map[string]any{"authentication.anonymous.enabled": true}, finding.Fail, "ip-a (true)"},
		{KubeletAnonymousAuth, "anonymous absent", map[string]any{"authentication.anonymous.enabled": nil}, finding.Unknown, "always writes"},
		{KubeletAnonymousAuth, "no anonymous object", map[string]any{"authentication.anonymous": nil}, finding.Unknown, "absent"},

		{KubeletAuthorizationMode, "AlwaysAllow", map[string]any{"authorization.mode": "AlwaysAllow"}, finding.Fail, "ip-a (AlwaysAllow, webhook authentication on)"},
		{KubeletAuthorizationMode, "AlwaysAllow without webhook authentication", map[string]any{"authorization.mode": "AlwaysAllow", "authentication.webhook.enabled": false}, finding.Fail, "webhook authentication off"},
		{KubeletAuthorizationMode, "mode absent", map[string]any{"authorization.mode": nil}, finding.Unknown, "always writes"},
		{KubeletAuthorizationMode, "mode unknown", map[string]any{"authorization.mode": "RBAC"}, finding.Unknown, `"RBAC"`},

		{KubeletClientCA, "no client CA", map[string]any{"authentication.x509.clientCAFile": nil}, finding.Fail, `ip-a (absent (""))`},
		{KubeletClientCA, "empty client CA", map[string]any{"authentication.x509.clientCAFile": ""}, finding.Fail, "no client CA"},
		{KubeletClientCA, "no x509 object", map[string]any{"authentication.x509": nil}, finding.Unknown, "authentication.x509 is absent"},

		{KubeletReadOnlyPort, "10255", map[string]any{"readOnlyPort": 10255}, finding.Fail, "ip-a (10255)"},
		{KubeletReadOnlyPort, "explicit 0", map[string]any{"readOnlyPort": 0}, finding.Pass, "readOnlyPort is 0"},
		{KubeletReadOnlyPort, "negative", map[string]any{"readOnlyPort": -1}, finding.Unknown, "not a port"},

		{KubeletStreamingTimeout, "0s", map[string]any{"streamingConnectionIdleTimeout": "0s"}, finding.Fail, "ip-a (0s)"},
		{KubeletStreamingTimeout, "30m", map[string]any{"streamingConnectionIdleTimeout": "30m0s"}, finding.Pass, "30m0s"},
		{KubeletStreamingTimeout, "absent", map[string]any{"streamingConnectionIdleTimeout": nil}, finding.Unknown, "always writes"},
		{KubeletStreamingTimeout, "not a duration", map[string]any{"streamingConnectionIdleTimeout": "forever"}, finding.Unknown, "not a duration"},
		{KubeletStreamingTimeout, "negative", map[string]any{"streamingConnectionIdleTimeout": "-1s"}, finding.Fail, "never time out"},

		{KubeletIPTablesChains, "false", map[string]any{"makeIPTablesUtilChains": false}, finding.Fail, "ip-a (false)"},
		{KubeletIPTablesChains, "absent", map[string]any{"makeIPTablesUtilChains": nil}, finding.Unknown, "always writes"},

		{KubeletEventQPS, "no limit", map[string]any{"eventRecordQPS": 0}, finding.Pass, "0 (no limit)"},
		{KubeletEventQPS, "3", map[string]any{"eventRecordQPS": 3}, finding.Fail, "ip-a (3)"},
		{KubeletEventQPS, "1", map[string]any{"eventRecordQPS": 1}, finding.Fail, "beyond 1 per second"},
		{KubeletEventQPS, "5", map[string]any{"eventRecordQPS": 5}, finding.Pass, "eventRecordQPS is 5"},
		{KubeletEventQPS, "negative", map[string]any{"eventRecordQPS": -1}, finding.Fail, "negative"},
		{KubeletEventQPS, "absent", map[string]any{"eventRecordQPS": nil}, finding.Unknown, "always writes"},

		{KubeletCertRotation, "true", map[string]any{"rotateCertificates": true}, finding.Pass, "rotateCertificates is true"},
		{KubeletCertRotation, "explicit false", map[string]any{"rotateCertificates": false}, finding.Manual, "ip-a (false)"},

		{KubeletServerCertRotation, "gates absent", map[string]any{"featureGates": nil}, finding.Pass, "RotateKubeletServerCertificate not set (on by default)"},
		{KubeletServerCertRotation, "other gates only", map[string]any{"featureGates.RotateKubeletServerCertificate": nil}, finding.Pass, "not set (on by default)"},
		{KubeletServerCertRotation, "gate false", map[string]any{"featureGates.RotateKubeletServerCertificate": false}, finding.Fail, "gate that rotates the serving certificate is off"},
		{KubeletServerCertRotation, "AllBeta false", map[string]any{"featureGates": map[string]any{"AllBeta": false}}, finding.Fail, "AllBeta false"},
		{KubeletServerCertRotation, "no bootstrap, gate true", map[string]any{"serverTLSBootstrap": nil}, finding.Fail, "serverTLSBootstrap absent (false), RotateKubeletServerCertificate true"},
		{KubeletServerCertRotation, "bootstrap false, gates absent", map[string]any{"serverTLSBootstrap": false, "featureGates": nil}, finding.Fail, "self-signed"},
		{KubeletServerCertRotation, "certificate from a file", map[string]any{"serverTLSBootstrap": nil, "tlsCertFile": "/etc/kubelet/tls.crt"}, finding.Manual, "tlsCertFile /etc/kubelet/tls.crt"},
	}
	for _, tt := range tests {
		t.Run(tt.check.ID+"/"+tt.name, func(t *testing.T) {
			c := kubeletCluster(node("ip-a", edited(t, tt.edits)))
			o := tt.check.Evaluate(c)
			if o.Status != tt.want || !strings.Contains(o.Reason, tt.reason) {
				t.Fatalf("%s: %q, want %s containing %q", o.Status, o.Reason, tt.want, tt.reason)
			}
			if o.Status == finding.Fail && !strings.Contains(o.Remediation, "NodeConfig") {
				t.Errorf("a FAIL without the advice: %q", o.Remediation)
			}
			ev := o.Evidence.(*KubeletEvidence)
			if len(ev.Nodes) != 1 || ev.Nodes[0].Name != "ip-a" || (o.Status != finding.Pass && ev.Nodes[0].Reason == "") {
				t.Errorf("evidence: %+v", ev.Nodes)
			}
		})
	}
}

// TestKubeletServerCertGateOldKubelet: the gate's default was off before 1.12, so an old kubelet
// that does not set it cannot be judged; an explicit true can.
func TestKubeletServerCertGateOldKubelet(t *testing.T) {
	old := node("ip-old", edited(t, map[string]any{"featureGates": nil}))
	old.KubeletVersion = "v1.11.10-eks-7f15cc"
	if o := KubeletServerCertRotation.Evaluate(kubeletCluster(old)); o.Status != finding.Unknown || !strings.Contains(o.Reason, "before Kubernetes 1.12") {
		t.Errorf("%s %s", o.Status, o.Reason)
	}
	old.Kubelet = al2023(t)
	if o := KubeletServerCertRotation.Evaluate(kubeletCluster(old)); o.Status != finding.Pass {
		t.Errorf("%s %s", o.Status, o.Reason)
	}
}

// TestKubeletSilentNodes: a node that did not answer, wherever it is in the list, keeps the cluster
// from passing and is named with why; a failing node decides FAIL all the same.
func TestKubeletSilentNodes(t *testing.T) {
	raw := al2023(t)
	why := "error trying to reach service: dial tcp 10.0.2.6:10250: i/o timeout"
	for pos := 0; pos < 3; pos++ {
		nodes := []model.Node{node("ip-1", raw), node("ip-2", raw), node("ip-3", raw)}
		nodes[pos] = silent(nodes[pos].Name, why)
		name := nodes[pos].Name
		o := KubeletAnonymousAuth.Evaluate(kubeletCluster(nodes...))
		if o.Status != finding.Unknown || !strings.Contains(o.Reason, "passes on 2 of 3 nodes") ||
			!strings.Contains(o.Reason, "1 node did not answer: "+name+" ("+name+": "+why+")") {
			t.Errorf("silent node %d: %s %q", pos, o.Status, o.Reason)
		}
		ev := o.Evidence.(*KubeletEvidence)
		if ev.NotAnswered != 1 || ev.Answered != 2 || ev.Nodes[0].Name != name || ev.Nodes[0].Verdict != klNotAnswered || ev.Nodes[0].Reason != why {
			t.Errorf("silent node %d evidence: %+v", pos, ev)
		}
	}

	bad := edited(t, map[string]any{"readOnlyPort": 10255})
	o := KubeletReadOnlyPort.Evaluate(kubeletCluster(node("ip-1", raw), silent("ip-2", why), node("ip-3", bad)))
	if o.Status != finding.Fail || !strings.Contains(o.Reason, "readOnlyPort fails on 1 node of 3: ip-3 (10255)") ||
		!strings.Contains(o.Reason, "1 node did not answer: ip-2") {
		t.Errorf("fail beside a silent node: %s %q", o.Status, o.Reason)
	}
	if ev := o.Evidence.(*KubeletEvidence); ev.Nodes[0].Name != "ip-3" || ev.Nodes[1].Name != "ip-2" || ev.Nodes[2].Name != "ip-1" {
		t.Errorf("evidence order (fail, not answered, pass): %+v", ev.Nodes)
	}

	o = KubeletReadOnlyPort.Evaluate(kubeletCluster(silent("ip-1", "forbidden: eksguard's Kubernetes identity needs get on nodes/proxy"), silent("ip-2", why)))
	if o.Status != finding.Unknown || !strings.Contains(o.Reason, "no node's kubelet configuration could be read") ||
		!strings.Contains(o.Reason, "2 nodes did not answer: ip-1, ip-2") {
		t.Errorf("all silent: %s %q", o.Status, o.Reason)
	}

	o = KubeletReadOnlyPort.Evaluate(kubeletCluster())
	if o.Status != finding.Unknown || !strings.Contains(o.Reason, "no nodes") {
		t.Errorf("no nodes: %s %q", o.Status, o.Reason)
	}

	// 3.2.8 on a node that passes, one that needs a person and one that is silent: UNKNOWN.
	o = KubeletCertRotation.Evaluate(kubeletCluster(node("ip-1", edited(t, map[string]any{"rotateCertificates": true})), node("ip-2", raw), silent("ip-3", why)))
	if o.Status != finding.Unknown || !strings.Contains(o.Reason, "passes on 1 of 3 nodes") || !strings.Contains(o.Reason, "1 node needs a person's judgement: ip-2") {
		t.Errorf("manual beside a silent node: %s %q", o.Status, o.Reason)
	}
}

// TestKubeletMalformed: a configuration that is not a kubelet's counts as a node that did not
// answer, and says so.
func TestKubeletMalformed(t *testing.T) {
	raw := al2023(t)
	for name, body := range map[string]string{
		"truncated":         `{"authentication":{"anonymous":{"enabled":false}`,
		"not an object":     `[1,2]`,
		"wrong type":        strings.Replace(string(raw), `"eventRecordQPS":50`, `"eventRecordQPS":"50"`, 1),
		"too large":         strings.Replace(string(raw), `"eventRecordQPS":50`, `"eventRecordQPS":4294967296`, 1),
		"no authentication": `{"readOnlyPort":0,"authorization":{"mode":"Webhook"}}`,
		"null":              `null`,
		"empty":             ``,
	} {
		t.Run(name, func(t *testing.T) {
			n := node("ip-bad", json.RawMessage(body))
			o := KubeletEventQPS.Evaluate(kubeletCluster(node("ip-good", raw), n))
			want := "malformed configuration"
			if body == "" {
				want = "no kubelet configuration was recorded"
			}
			if o.Status != finding.Unknown || !strings.Contains(o.Reason, "1 node did not answer: ip-bad") || !strings.Contains(o.Reason, want) {
				t.Fatalf("%s %q", o.Status, o.Reason)
			}
		})
	}
}

// TestKubeletManyNodes: a reason names 20 nodes and counts the others; the evidence lists 200 and
// counts the others.
func TestKubeletManyNodes(t *testing.T) {
	bad := edited(t, map[string]any{"authentication.anonymous.enabled": true})
	good := al2023(t)
	var nodes []model.Node
	for i := 0; i < 250; i++ {
		raw := good
		if i%2 == 0 {
			raw = bad
		}
		nodes = append(nodes, node(fmt.Sprintf("ip-%03d", i), raw))
	}
	o := KubeletAnonymousAuth.Evaluate(kubeletCluster(nodes...))
	if o.Status != finding.Fail || !strings.Contains(o.Reason, "fails on 125 nodes of 250: ip-000 (true), ip-002 (true)") ||
		!strings.Contains(o.Reason, "ip-038 (true) and 105 more") || strings.Contains(o.Reason, "ip-040") {
		t.Errorf("%s %q", o.Status, o.Reason)
	}
	ev := o.Evidence.(*KubeletEvidence)
	if len(ev.Nodes) != klListCap || ev.Omitted != 50 || ev.Failing != 125 || ev.Passing != 125 || ev.Nodes[124].Verdict != "fail" || ev.Nodes[125].Verdict != "pass" {
		t.Errorf("evidence: %d listed, %d omitted, %d failing", len(ev.Nodes), ev.Omitted, ev.Failing)
	}
}

// TestKubeletGates: the shared gates stop the kubelet checks before they judge.
func TestKubeletGates(t *testing.T) {
	raw := al2023(t)
	notRead := kubeletCluster(node("ip-1", raw))
	notRead.Parts = nil
	unreachable := kubeletCluster()
	unreachable.Kube.Error = "dial tcp 10.0.0.1:443: i/o timeout"
	denied := kubeletCluster(silent("ip-1", "forbidden: ..."))
	denied.Kube.Errors = []model.Error{{Operation: "get nodes/proxy", Message: "nodes/proxy is forbidden", AccessDenied: true}}
	listFailed := kubeletCluster()
	listFailed.Kube.Errors = []model.Error{{Operation: "list nodes", Message: "the server is currently unable to handle the request"}}
	otherList := kubeletCluster(node("ip-1", raw))
	otherList.Kube.Errors = []model.Error{{Operation: "list pods", Message: "timeout"}}
	creating := kubeletCluster(node("ip-1", raw))
	creating.Status = model.StatusCreating
	for _, tt := range []struct {
		name    string
		cluster *model.Cluster
		want    finding.Status
		reason  string
	}{
		{"not collected", notRead, finding.Unknown, "was not collected"},
		{"API unreachable", unreachable, finding.Error, "i/o timeout"},
		{"nodes/proxy denied", denied, finding.Error, "needs get nodes/proxy"},
		{"list nodes failed", listFailed, finding.Error, "list nodes failed"},
		{"another list failed", otherList, finding.Pass, "readOnlyPort is absent (0)"},
		{"creating", creating, finding.Unknown, "CREATING"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if o := KubeletReadOnlyPort.Evaluate(tt.cluster); o.Status != tt.want || !strings.Contains(o.Reason, tt.reason) {
				t.Fatalf("%s %q, want %s containing %q", o.Status, o.Reason, tt.want, tt.reason)
			}
		})
	}
}

func TestKubeletCheckMetadata(t *testing.T) {
	ids := map[string]bool{}
	for _, k := range kubeletChecks {
		ids[k.ID] = true
		if !k.IsKube() || len(k.Parts) != 1 || k.Parts[0] != model.PartKubelet {
			t.Errorf("%s: parts %v", k.ID, k.Parts)
		}
		if len(k.Calls) != 2 || k.Calls[0].Action != "list nodes" || k.Calls[1].Action != "get nodes/proxy" || !k.Calls[1].Kubernetes {
			t.Errorf("%s: calls %+v", k.ID, k.Calls)
		}
		if k.Title == "" || k.Summary == "" || k.Severity == "" || k.Rationale == "" || k.PassRule == "" || k.Defaults == "" || k.Advice == "" {
			t.Errorf("%s: missing metadata", k.ID)
		}
		if len(k.IaC) > 0 || len(k.Examples) > 0 || k.HasTarget() {
			t.Errorf("%s: a kubelet check has no IaC, examples or target", k.ID)
		}
		for _, l := range k.Links {
			if !strings.HasPrefix(l.URL, "https://") || l.Title == "" {
				t.Errorf("%s: link %+v", k.ID, l)
			}
		}
		if registered, ok := Lookup(k.ID); !ok || registered != k {
			t.Errorf("%s is not registered", k.ID)
		}
		// A kubeconfig-only scan judges them too.
		c := kubeletCluster()
		c.Source = model.SourceKubeconfig
		if !k.Applies(c) {
			t.Errorf("%s does not apply to a kubeconfig scan", k.ID)
		}
	}
	if len(ids) != 9 {
		t.Errorf("%d distinct ids", len(ids))
	}
}

func TestParseKubeletConfigErrors(t *testing.T) {
	for _, tt := range []struct{ name, raw, err string }{
		{"empty", "", "empty"},
		{"array", "[]", "not a JSON object"},
		{"no authorization", `{"authentication":{}}`, "not a kubelet configuration"},
		{"null authentication", `{"authentication":null,"authorization":{}}`, "not a kubelet configuration"},
		{"wrong type", `{"authentication":{},"authorization":{},"readOnlyPort":true}`, "does not parse"},
		{"fraction", `{"authentication":{},"authorization":{},"eventRecordQPS":5.5}`, "does not parse"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseKubeletConfig(json.RawMessage(tt.raw)); err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("%v, want %q", err, tt.err)
			}
		})
	}
	// The smallest configuration a kubelet could write: every omitempty field at its zero value.
	k, err := ParseKubeletConfig(json.RawMessage(`{"authentication":{"x509":{},"webhook":{"cacheTTL":"0s"},"anonymous":{}},` +
		`"authorization":{"webhook":{"cacheAuthorizedTTL":"0s","cacheUnauthorizedTTL":"0s"}},"streamingConnectionIdleTimeout":"0s"}`))
	if err != nil || !k.X509 || k.ClientCAFile != nil || k.AnonymousAuth != nil || k.AuthorizationMode != nil || k.FeatureGates != nil {
		t.Errorf("%v %+v", err, k)
	}
}

func FuzzKubeletConfigz(f *testing.F) {
	f.Add([]byte(al2023Configz))
	for _, seed := range []string{"", "null", "{}", `{"kubeletconfig":null}`, `{"kubeletconfig":{}}`, "<html>",
		`{"kubeletconfig":{"authentication":{"x509":{"clientCAFile":""}},"authorization":{"mode":"AlwaysAllow"},"readOnlyPort":10255}}`,
		`{"kubeletconfig":{"authentication":{},"authorization":{},"featureGates":{"AllBeta":false},"streamingConnectionIdleTimeout":"-9223372036854775808ns"}}`,
		`{"kubeletconfig":{"Authentication":{"Anonymous":{"Enabled":true}},"Authorization":{"Mode":""}}}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		raw, err := kubeapi.ParseConfigz(body)
		if err != nil {
			if raw != nil {
				t.Fatalf("an error with a result: %v", err)
			}
			return
		}
		if !json.Valid(raw) || raw[0] != '{' {
			t.Fatalf("not a JSON object: %q", raw)
		}
		if _, err := ParseKubeletConfig(raw); err != nil {
			return
		}
		c := kubeletCluster(model.Node{Name: "n", KubeletVersion: string(body[:min(len(body), 12)]), Kubelet: raw})
		for _, k := range kubeletChecks {
			if o := k.Evaluate(c); o.Status == "" || o.Reason == "" {
				t.Fatalf("%s: empty outcome on %q", k.ID, raw)
			}
		}
	})
}
