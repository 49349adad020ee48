package check

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// The reads of the workload controllers whose pod templates model.Kube.Workloads holds.
var (
	kwListDeployments  = kubeCall("list deployments", "every Deployment's pod template")
	kwListStatefulSets = kubeCall("list statefulsets", "every StatefulSet's pod template")
	kwListDaemonSets   = kubeCall("list daemonsets", "every DaemonSet's pod template")
	kwListReplicaSets  = kubeCall("list replicasets", "the pod template of every ReplicaSet without an owner")
	kwListJobs         = kubeCall("list jobs", "the pod template of every Job without an owner")
	kwListCronJobs     = kubeCall("list cronjobs", "every CronJob's pod template")
)

// kwImages lists a pod spec's images, init containers first, without repeats.
func kwImages(spec *corev1.PodSpec) []string {
	var out []string
	seen := map[string]bool{}
	add := func(cs []corev1.Container) {
		for _, c := range cs {
			if c.Image != "" && !seen[c.Image] {
				seen[c.Image] = true
				out = append(out, c.Image)
			}
		}
	}
	add(spec.InitContainers)
	add(spec.Containers)
	if out == nil {
		out = []string{}
	}
	return out
}

// kwImageName is an image reference without its registry, tag or digest:
// 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-network-policy-agent:v1.4.2 is
// amazon/aws-network-policy-agent.
func kwImageName(image string) string {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndexByte(image, ':'); i > strings.LastIndexByte(image, '/') {
		image = image[:i]
	}
	if i := strings.IndexByte(image, '/'); i >= 0 && strings.ContainsAny(image[:i], ".:") {
		image = image[i+1:]
	}
	return image
}

// kwHasContainer reports whether a pod spec has a container of that name.
func kwHasContainer(spec *corev1.PodSpec, name string) bool {
	for _, c := range spec.Containers {
		if c.Name == name {
			return true
		}
	}
	return false
}

// kwWorkloadIndex finds the listed workload that controls a pod, so that a pod is judged through
// its controller's template and reported once.
type kwWorkloadIndex map[string]bool

func kwIndexWorkloads(ws []model.Workload) kwWorkloadIndex {
	idx := kwWorkloadIndex{}
	for _, w := range ws {
		idx[w.Kind+"/"+w.Namespace+"/"+w.Name] = true
	}
	return idx
}

func (idx kwWorkloadIndex) has(kind, ns, name string) bool { return idx[kind+"/"+ns+"/"+name] }

// controller returns the listed workload whose template the pod was made from ("Deployment/web"),
// or "" when none is listed. A pod's owner is its direct controller: a ReplicaSet that a
// Deployment made is named after it, DEPLOYMENT-HASH with the hash in the pod's
// pod-template-hash label, and a Job that a CronJob made is CRONJOB-SCHEDULEDTIME (digits); those
// two names are mapped back to the Deployment and CronJob only when these patterns hold and the
// workload is listed.
func (idx kwWorkloadIndex) controller(p *model.Pod) string {
	kind, name, ok := strings.Cut(p.Owner, "/")
	if !ok {
		return ""
	}
	if idx.has(kind, p.Namespace, name) {
		return kind + "/" + name
	}
	switch kind {
	case "ReplicaSet":
		hash := p.Labels["pod-template-hash"]
		if deploy, found := strings.CutSuffix(name, "-"+hash); hash != "" && found && idx.has("Deployment", p.Namespace, deploy) {
			return "Deployment/" + deploy
		}
	case "Job":
		if i := strings.LastIndexByte(name, '-'); i > 0 && kwDigits(name[i+1:]) && idx.has("CronJob", p.Namespace, name[:i]) {
			return "CronJob/" + name[:i]
		}
	}
	return ""
}

func kwDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// SecretEnvEvidence is what the secrets-as-environment-variables check found.
type SecretEnvEvidence struct {
	// Uses are the workloads and pods whose containers read secrets as environment variables (at
	// most 200, UseCount in all).
	Uses     []SecretEnvUse `json:"uses"`
	UseCount int            `json:"useCount"`
	// Workloads and Pods are how many templates and pods were judged; PodsOfWorkloads how many
	// more pods were judged through their workload's template.
	Workloads       int    `json:"workloads"`
	Pods            int    `json:"pods"`
	PodsOfWorkloads int    `json:"podsOfWorkloads"`
	Note            string `json:"note"`
}

// SecretEnvUse is a workload, a controller of pods or a bare pod, and its containers' reads of
// secrets into the environment.
type SecretEnvUse struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Pods counts the pods behind a controller that is not among the workloads read (a custom
	// controller's pods, a ReplicaSet whose Deployment was not found).
	Pods int `json:"pods,omitempty"`
	// Refs are the reads: container "app" env DB_PASSWORD from secret db key password, container
	// "app" envFrom secret app-env.
	Refs []string `json:"refs"`
}

func (u SecretEnvUse) ref() string { return u.Kind + "/" + u.Namespace + "/" + u.Name }

// kwSecretEnvRefs lists where a pod spec's containers, init containers and ephemeral containers
// read a secret into their environment.
func kwSecretEnvRefs(spec *corev1.PodSpec) []string {
	var out []string
	visit := func(kind, name string, env []corev1.EnvVar, from []corev1.EnvFromSource) {
		for _, e := range env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				out = append(out, fmt.Sprintf("%s %q env %s from secret %s key %s", kind, name, e.Name, e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key))
			}
		}
		for _, f := range from {
			if f.SecretRef != nil {
				ref := fmt.Sprintf("%s %q envFrom secret %s", kind, name, f.SecretRef.Name)
				if f.Prefix != "" {
					ref += " (prefix " + f.Prefix + ")"
				}
				out = append(out, ref)
			}
		}
	}
	for _, c := range spec.InitContainers {
		visit("init container", c.Name, c.Env, c.EnvFrom)
	}
	for _, c := range spec.Containers {
		visit("container", c.Name, c.Env, c.EnvFrom)
	}
	for _, c := range spec.EphemeralContainers {
		visit("ephemeral container", c.Name, c.Env, c.EnvFrom)
	}
	return out
}

// SecretsInEnv is CIS 4.4.1: no container reads a secret as an environment variable.
var SecretsInEnv = register(&Check{
	ID:       "k8s-secrets-in-env",
	Title:    "Secrets are mounted as files, not read into environment variables",
	Summary:  "no container of a pod or workload uses env[].valueFrom.secretKeyRef or envFrom[].secretRef",
	Severity: SeverityLow,
	Rationale: "Environment variables leak: applications print them in logs and crash reports, child processes " +
		"inherit them, and anyone who can read the process's environment on the node sees them. A secret mounted as " +
		"a file can be given restrictive permissions, is updated when the secret changes, and is read only when needed.",
	Links: []Link{
		{Title: "Kubernetes: Secrets", URL: "https://kubernetes.io/docs/concepts/configuration/secret/"},
		{Title: "Kubernetes: Good practices for Kubernetes Secrets", URL: "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"},
		{Title: "EKS Best Practices: Data encryption and secrets management", URL: "https://docs.aws.amazon.com/eks/latest/best-practices/data-encryption-and-secrets-management.html"},
		{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
	},
	Parts: []model.Part{model.PartKubernetes},
	Calls: []APICall{kwListPods, kwListDeployments, kwListStatefulSets, kwListDaemonSets, kwListReplicaSets, kwListJobs, kwListCronJobs},
	PassRule: "No container, init container or ephemeral container of any pod or workload template (Deployment, " +
		"StatefulSet, DaemonSet, ReplicaSet or Job without an owner, CronJob), in any namespace kube-system included, " +
		"reads a secret through env[].valueFrom.secretKeyRef or envFrom[].secretRef. Each workload is reported once, " +
		"from its template: a pod whose controller is a listed workload is judged through it (a ReplicaSet named " +
		"DEPLOYMENT-HASH, with HASH the pod's pod-template-hash label, counts as its Deployment's; a Job named " +
		"CRONJOB-DIGITS as its CronJob's). Other pods (bare pods, static pods, pods of custom controllers) are " +
		"reported by their controller, once for all its pods.",
	Defaults: "Kubernetes sets nothing here: each workload's manifest decides.",
	Advice: "mount the secret as a volume (volumes[].secret.secretName with volumeMounts[].mountPath) and have the " +
		"application read the file, instead of env[].valueFrom.secretKeyRef or envFrom[].secretRef",
	judge: judgeSecretsInEnv,
})

func judgeSecretsInEnv(c *model.Cluster) Outcome {
	kube := c.Kube
	ev := &SecretEnvEvidence{Uses: []SecretEnvUse{}, Workloads: len(kube.Workloads),
		Note: "pods whose controller is a listed workload are judged through its template, so a pod changed after " +
			"it was created (by a mutating webhook) is judged as its template says"}
	var uses []SecretEnvUse
	for i := range kube.Workloads {
		w := &kube.Workloads[i]
		if refs := kwSecretEnvRefs(&w.Template.Spec); len(refs) > 0 {
			uses = append(uses, SecretEnvUse{Kind: w.Kind, Namespace: w.Namespace, Name: w.Name, Refs: refs})
		}
	}
	idx := kwIndexWorkloads(kube.Workloads)
	byController := map[string]*SecretEnvUse{}
	for i := range kube.Pods {
		p := &kube.Pods[i]
		if idx.controller(p) != "" {
			ev.PodsOfWorkloads++
			continue
		}
		ev.Pods++
		refs := kwSecretEnvRefs(&p.Spec)
		if len(refs) == 0 {
			continue
		}
		kind, name, ok := strings.Cut(p.Owner, "/")
		if !ok {
			kind, name = "Pod", p.Name
		}
		key := kind + "/" + p.Namespace + "/" + name
		u := byController[key]
		if u == nil {
			u = &SecretEnvUse{Kind: kind, Namespace: p.Namespace, Name: name}
			byController[key] = u
		}
		if kind != "Pod" {
			u.Pods++
		}
		for _, r := range refs {
			if !slices.Contains(u.Refs, r) {
				u.Refs = append(u.Refs, r)
			}
		}
	}
	for _, key := range kwSortedKeys(byController) {
		uses = append(uses, *byController[key])
	}
	sort.SliceStable(uses, func(i, j int) bool {
		a, b := uses[i], uses[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Name < b.Name
	})
	ev.UseCount = len(uses)
	ev.Uses = kwCap(uses)
	if len(uses) == 0 {
		return Outcome{Status: finding.Pass, Evidence: ev,
			Reason: fmt.Sprintf("no container of %s and %s (and %s judged through their workload) reads a secret into its environment",
				count(ev.Workloads, "workload", "workloads"), count(ev.Pods, "other pod", "other pods"), count(ev.PodsOfWorkloads, "pod", "pods"))}
	}
	var names []string
	for _, u := range uses {
		names = append(names, u.ref())
	}
	return Outcome{Status: finding.Fail, Evidence: ev,
		Reason: fmt.Sprintf("%s %s secrets as environment variables (env secretKeyRef or envFrom secretRef): %s",
			count(len(uses), "workload or pod", "workloads and pods"), kwVerb(len(uses), "reads", "read"), nameList(names, kwReasonCap))}
}

// secretsStoreDriver is the Secrets Store CSI driver's name.
const secretsStoreDriver = "secrets-store.csi.k8s.io"

// ExternalSecretsEvidence is what the external secret storage check found for a person to judge.
type ExternalSecretsEvidence struct {
	CSIDrivers         []string `json:"csiDrivers"`
	SecretsStoreDriver bool     `json:"secretsStoreDriver"`
	// SecretsStorePods are pods mounting a secrets-store volume: namespace/name (volume VOLUME,
	// SecretProviderClass CLASS) (at most 200).
	SecretsStorePods     []string `json:"secretsStorePods"`
	SecretsStorePodCount int      `json:"secretsStorePodCount"`
	// SecretVolumePods are pods mounting Kubernetes Secrets as volumes (at most 200).
	SecretVolumePods     []string `json:"secretVolumePods"`
	SecretVolumePodCount int      `json:"secretVolumePodCount"`
	Pods                 int      `json:"pods"`
	Note                 string   `json:"note"`
}

// ExternalSecrets is CIS 4.4.2: whether secrets are kept in an external store is for a person to
// judge, with the Secrets Store CSI driver and the pods' secret volumes as evidence.
var ExternalSecrets = register(&Check{
	ID:       "k8s-external-secrets",
	Title:    "Secrets are kept in an external secret store",
	Summary:  "a person judges the use of an external secret store, with the CSI drivers and secret volumes found (always MANUAL)",
	Severity: SeverityLow,
	Rationale: "Kubernetes Secrets are readable by anyone who may get or list them in their namespace, are copied " +
		"into etcd and backups, and have no rotation or access audit of their own. An external store such as AWS " +
		"Secrets Manager or Systems Manager Parameter Store keeps them encrypted under keys you control, with " +
		"fine-grained IAM access, audit in CloudTrail and rotation.",
	Links: []Link{
		{Title: "Use AWS Secrets Manager secrets in Amazon EKS", URL: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/integrating_csi_driver.html"},
		{Title: "Secrets Store CSI Driver", URL: "https://secrets-store-csi-driver.sigs.k8s.io/"},
		{Title: "EKS Best Practices: Data encryption and secrets management", URL: "https://docs.aws.amazon.com/eks/latest/best-practices/data-encryption-and-secrets-management.html"},
		{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
	},
	Parts: []model.Part{model.PartKubernetes},
	Calls: []APICall{kubeCall("list csidrivers", "the CSI drivers installed (secrets-store.csi.k8s.io)"), kwListPods},
	PassRule: "Never decided by eksguard: the check is always MANUAL. Its evidence lists the CSI drivers (the " +
		"Secrets Store CSI driver is secrets-store.csi.k8s.io), the pods mounting secrets-store volumes with their " +
		"SecretProviderClass, and the pods mounting Kubernetes Secrets as volumes (secret volumes and projected " +
		"volumes with a secret source), up to 200 of each with totals. Operators that copy an external store into " +
		"Kubernetes Secrets (External Secrets Operator) are not read. A person judges whether the cluster's secrets " +
		"come from an external store.",
	Defaults: "EKS installs no secret store driver: secrets are Kubernetes Secrets unless one is added (the Secrets " +
		"Store CSI driver with the AWS provider, available as an EKS add-on).",
	Advice: "keep secrets in AWS Secrets Manager or Parameter Store and mount them with the Secrets Store CSI driver " +
		"and its AWS provider (a SecretProviderClass per application, a csi volume with driver " +
		"secrets-store.csi.k8s.io), or sync them with External Secrets Operator",
	judge: judgeExternalSecrets,
})

func judgeExternalSecrets(c *model.Cluster) Outcome {
	kube := c.Kube
	ev := &ExternalSecretsEvidence{CSIDrivers: sortedCopy(kube.CSIDrivers), SecretsStorePods: []string{}, SecretVolumePods: []string{},
		Pods: len(kube.Pods),
		Note: "operators that copy an external store into Kubernetes Secrets (External Secrets Operator, its " +
			"ExternalSecret and SecretStore resources) are not read"}
	ev.SecretsStoreDriver = slices.Contains(kube.CSIDrivers, secretsStoreDriver)
	var store, secret []string
	for i := range kube.Pods {
		p := &kube.Pods[i]
		ref := p.Namespace + "/" + p.Name
		var storeVols, secretVols []string
		for _, v := range p.Spec.Volumes {
			switch {
			case v.CSI != nil && v.CSI.Driver == secretsStoreDriver:
				storeVols = append(storeVols, fmt.Sprintf("volume %s, SecretProviderClass %s", v.Name, v.CSI.VolumeAttributes["secretProviderClass"]))
			case v.Secret != nil:
				secretVols = append(secretVols, "secret "+v.Secret.SecretName)
			case v.Projected != nil:
				for _, s := range v.Projected.Sources {
					if s.Secret != nil {
						secretVols = append(secretVols, "secret "+s.Secret.Name)
					}
				}
			}
		}
		if len(storeVols) > 0 {
			store = append(store, ref+" ("+strings.Join(storeVols, "; ")+")")
		}
		if len(secretVols) > 0 {
			secret = append(secret, ref+" ("+strings.Join(secretVols, ", ")+")")
		}
	}
	sort.Strings(store)
	sort.Strings(secret)
	ev.SecretsStorePodCount, ev.SecretVolumePodCount = len(store), len(secret)
	ev.SecretsStorePods, ev.SecretVolumePods = kwCap(store), kwCap(secret)

	var found string
	if ev.SecretsStoreDriver {
		found = fmt.Sprintf("the Secrets Store CSI driver (%s) is installed and %s %s secrets-store volumes", secretsStoreDriver,
			count(len(store), "pod", "pods"), kwVerb(len(store), "mounts", "mount"))
	} else {
		found = fmt.Sprintf("no Secrets Store CSI driver (%s) is installed", secretsStoreDriver)
		if len(store) > 0 {
			found += fmt.Sprintf(", yet %s %s its volumes", count(len(store), "pod", "pods"), kwVerb(len(store), "mounts", "mount"))
		}
	}
	found += fmt.Sprintf("; %d of %s %s Kubernetes Secrets as volumes", len(secret), count(len(kube.Pods), "pod", "pods"),
		kwVerb(len(secret), "mounts", "mount"))
	return Outcome{Status: finding.Manual, Evidence: ev,
		Reason: found + ": whether the cluster's secrets are kept in an external store (AWS Secrets Manager, Parameter Store, " +
			"Vault, or synced by an operator eksguard does not read) is for a person to judge"}
}
