package check

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

var (
	kwSecretEnv = corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Env: []corev1.EnvVar{
		{Name: "MODE", Value: "prod"},
		{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}},
	}}}}
	kwSecretEnvFrom = corev1.PodSpec{InitContainers: []corev1.Container{{Name: "migrate", EnvFrom: []corev1.EnvFromSource{
		{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}}},
		{Prefix: "APP_", SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "app-env"}}},
	}}}, Containers: []corev1.Container{{Name: "app"}}}
	kwSecretEnvEphemeral = corev1.PodSpec{Containers: []corev1.Container{{Name: "app"}},
		EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug",
			EnvFrom: []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "root"}}}}}}}}
	// kwConfigEnv reads a ConfigMap and the downward API, no secret.
	kwConfigEnv = corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Env: []corev1.EnvVar{
		{Name: "NODE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}},
		{Name: "LEVEL", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}, Key: "level"}}},
	}}}}
)

func kwWorkload(kind, ns, name string, spec corev1.PodSpec) model.Workload {
	return model.Workload{Kind: kind, Namespace: ns, Name: name, Template: corev1.PodTemplateSpec{Spec: spec}}
}

func kwPod(ns, name, owner string, labels map[string]string, spec corev1.PodSpec) model.Pod {
	return model.Pod{Namespace: ns, Name: name, Owner: owner, Labels: labels, Phase: "Running", Spec: spec}
}

func TestSecretsInEnv(t *testing.T) {
	hash := map[string]string{"pod-template-hash": "7d4b9c8f5"}
	add := func(ws []model.Workload, pods ...model.Pod) *model.Cluster {
		return kwCluster(func(k *model.Kube) {
			k.Workloads = append(k.Workloads, ws...)
			k.Pods = append(k.Pods, pods...)
		})
	}
	kwRun(t, SecretsInEnv, []kwCase{
		{"hardened", kwCluster(nil), finding.Pass, []string{"no container of 3 workloads and 0 other pods (and 3 pods judged through their workload)"}},
		{"config maps and the downward API", add([]model.Workload{kwWorkload("Deployment", "shop", "cfg", kwConfigEnv)}), finding.Pass, nil},
		{"a deployment and its pods are one finding", add([]model.Workload{kwWorkload("Deployment", "shop", "api", kwSecretEnv)},
			kwPod("shop", "api-7d4b9c8f5-aaaaa", "ReplicaSet/api-7d4b9c8f5", hash, kwSecretEnv),
			kwPod("shop", "api-7d4b9c8f5-bbbbb", "ReplicaSet/api-7d4b9c8f5", hash, kwSecretEnv)),
			finding.Fail, []string{"1 workload or pod reads secrets as environment variables", ": Deployment/shop/api"}},
		{"envFrom of an init container, in a StatefulSet", add([]model.Workload{kwWorkload("StatefulSet", "data", "db", kwSecretEnvFrom)},
			kwPod("data", "db-0", "StatefulSet/db", nil, kwSecretEnvFrom)), finding.Fail, []string{"StatefulSet/data/db"}},
		{"a bare pod with an ephemeral container", add(nil, kwPod("shop", "debug", "", nil, kwSecretEnvEphemeral)), finding.Fail, []string{"Pod/shop/debug"}},
		{"kube-system is judged", add([]model.Workload{kwWorkload("DaemonSet", "kube-system", "agent", kwSecretEnv)}), finding.Fail, []string{"DaemonSet/kube-system/agent"}},
		{"pods named by the owner's owner, as a scan reads them", add([]model.Workload{kwWorkload("Deployment", "shop", "api", kwSecretEnv)},
			kwPod("shop", "api-7d4b9c8f5-aaaaa", "Deployment/api", hash, kwSecretEnv)), finding.Fail, []string{"1 workload or pod", ": Deployment/shop/api"}},
		{"a CronJob's pods", add([]model.Workload{kwWorkload("CronJob", "ops", "backup", kwSecretEnv)},
			kwPod("ops", "backup-28917620-x1x1x", "Job/backup-28917620", nil, kwSecretEnv)), finding.Fail, []string{"1 workload or pod", ": CronJob/ops/backup"}},
		{"pods of a custom controller, once", add(nil,
			kwPod("shop", "worker-0", "Rollout/worker", nil, kwSecretEnv), kwPod("shop", "worker-1", "Rollout/worker", nil, kwSecretEnv)),
			finding.Fail, []string{"1 workload or pod", ": Rollout/shop/worker"}},
		{"a ReplicaSet whose Deployment is not listed", add(nil,
			kwPod("shop", "old-7d4b9c8f5-aaaaa", "ReplicaSet/old-7d4b9c8f5", hash, kwSecretEnv)), finding.Fail, []string{"ReplicaSet/shop/old-7d4b9c8f5"}},
		{"first, middle and last", add([]model.Workload{
			kwWorkload("Deployment", "a", "first", kwSecretEnv), kwWorkload("Deployment", "m", "middle", kwConfigEnv),
			kwWorkload("Deployment", "m", "middle2", kwSecretEnvFrom), kwWorkload("Deployment", "z", "last", kwSecretEnv)}),
			finding.Fail, []string{"3 workloads and pods read", "Deployment/a/first, Deployment/m/middle2, Deployment/z/last"}},
	})

	o := SecretsInEnv.Evaluate(add([]model.Workload{kwWorkload("Deployment", "shop", "api", kwSecretEnv)},
		kwPod("shop", "api-7d4b9c8f5-aaaaa", "ReplicaSet/api-7d4b9c8f5", hash, kwSecretEnv),
		kwPod("shop", "w-0", "Rollout/w", nil, kwSecretEnvFrom), kwPod("shop", "w-1", "Rollout/w", nil, kwSecretEnvFrom),
		kwPod("shop", "debug", "", nil, kwSecretEnvEphemeral)))
	ev := o.Evidence.(*SecretEnvEvidence)
	var got []string
	for _, u := range ev.Uses {
		got = append(got, u.ref()+" "+strings.Join(u.Refs, "; "))
		if u.Kind == "Rollout" && u.Pods != 2 {
			t.Errorf("pods behind Rollout/w: %d", u.Pods)
		}
	}
	want := []string{
		`Deployment/shop/api container "app" env DB_PASSWORD from secret db key password`,
		`Pod/shop/debug ephemeral container "debug" envFrom secret root`,
		`Rollout/shop/w init container "migrate" envFrom secret app-env (prefix APP_)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("uses:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ev.UseCount != 3 || ev.Workloads != 4 || ev.Pods != 3 || ev.PodsOfWorkloads != 4 {
		t.Errorf("counts %+v", ev)
	}
}

// TestWorkloadController: pods are mapped to the listed workload that made them only when the
// naming pattern holds.
func TestWorkloadController(t *testing.T) {
	idx := kwIndexWorkloads([]model.Workload{
		{Kind: "Deployment", Namespace: "a", Name: "web"}, {Kind: "CronJob", Namespace: "a", Name: "backup"},
		{Kind: "DaemonSet", Namespace: "a", Name: "agent"}, {Kind: "ReplicaSet", Namespace: "a", Name: "solo"},
		{Kind: "Job", Namespace: "a", Name: "once"},
	})
	hash := func(h string) map[string]string { return map[string]string{"pod-template-hash": h} }
	for _, tt := range []struct {
		pod  model.Pod
		want string
	}{
		{model.Pod{Namespace: "a", Owner: "Deployment/web"}, "Deployment/web"}, // the scan names the owner's owner
		{model.Pod{Namespace: "a", Owner: "CronJob/backup"}, "CronJob/backup"},
		{model.Pod{Namespace: "a", Owner: "ReplicaSet/web-5d8f9", Labels: hash("5d8f9")}, "Deployment/web"},
		{model.Pod{Namespace: "a", Owner: "ReplicaSet/web-5d8f9"}, ""},                              // no hash label
		{model.Pod{Namespace: "a", Owner: "ReplicaSet/web-5d8f9", Labels: hash("other")}, ""},       // the hash does not match
		{model.Pod{Namespace: "b", Owner: "ReplicaSet/web-5d8f9", Labels: hash("5d8f9")}, ""},       // another namespace
		{model.Pod{Namespace: "a", Owner: "ReplicaSet/solo"}, "ReplicaSet/solo"},                    // an ownerless ReplicaSet
		{model.Pod{Namespace: "a", Owner: "Job/backup-28917620"}, "CronJob/backup"},                 // a CronJob's Job
		{model.Pod{Namespace: "a", Owner: "Job/backup-manual"}, ""},                                 // not a scheduled time
		{model.Pod{Namespace: "a", Owner: "Job/once"}, "Job/once"},                                  // an ownerless Job
		{model.Pod{Namespace: "a", Owner: "DaemonSet/agent"}, "DaemonSet/agent"},                    // a DaemonSet
		{model.Pod{Namespace: "a", Owner: "Node/ip-10-0-0-1.ec2.internal"}, ""},                     // a static pod
		{model.Pod{Namespace: "a"}, ""},                                                             // a bare pod
		{model.Pod{Namespace: "a", Owner: "ReplicaSet/-5d8f9", Labels: hash("5d8f9")}, ""},          // no Deployment named ""
		{model.Pod{Namespace: "a", Owner: "StatefulSet/web", Labels: hash("5d8f9")}, ""},            // not listed
		{model.Pod{Namespace: "a", Owner: "ReplicaSet/web-5d8f9-5d8f9", Labels: hash("5d8f9")}, ""}, // web-5d8f9 is not listed
	} {
		if got := idx.controller(&tt.pod); got != tt.want {
			t.Errorf("%s %v: %q, want %q", tt.pod.Owner, tt.pod.Labels, got, tt.want)
		}
	}
}

func TestExternalSecrets(t *testing.T) {
	store := corev1.PodSpec{Containers: []corev1.Container{{Name: "app"}}, Volumes: []corev1.Volume{{Name: "secrets",
		VolumeSource: corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{Driver: secretsStoreDriver, VolumeAttributes: map[string]string{"secretProviderClass": "api-aws"}}}}}}
	projected := corev1.PodSpec{Containers: []corev1.Container{{Name: "app"}}, Volumes: []corev1.Volume{
		{Name: "kube-api-access-x", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
			{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}},
			{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"}}}}}}},
		{Name: "tls", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
			{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "tls-cert"}}}}}}}}}
	tokenOnly := corev1.PodSpec{Containers: []corev1.Container{{Name: "app"}}, Volumes: projected.Volumes[:1]}
	withStore := kwCluster(func(k *model.Kube) {
		k.CSIDrivers = append(k.CSIDrivers, secretsStoreDriver)
		k.Pods = append(k.Pods, kwPod("shop", "api", "", nil, store), kwPod("shop", "tls", "", nil, projected), kwPod("shop", "plain", "", nil, tokenOnly))
	})
	kwRun(t, ExternalSecrets, []kwCase{
		{"hardened", kwCluster(nil), finding.Manual, []string{"no Secrets Store CSI driver (secrets-store.csi.k8s.io) is installed", "1 of 3 pods mounts Kubernetes Secrets", "for a person to judge"}},
		{"with the Secrets Store CSI driver", withStore, finding.Manual, []string{"is installed and 1 pod mounts secrets-store volumes", "2 of 6 pods mount Kubernetes Secrets"}},
		{"empty", kwEmpty(), finding.Manual, []string{"0 of 2 pods mount"}},
	})
	ev := ExternalSecrets.Evaluate(withStore).Evidence.(*ExternalSecretsEvidence)
	if !ev.SecretsStoreDriver || ev.SecretsStorePodCount != 1 || ev.SecretsStorePods[0] != "shop/api (volume secrets, SecretProviderClass api-aws)" ||
		ev.SecretVolumePodCount != 2 || ev.SecretVolumePods[1] != "shop/web-5d8f9c7b6-x2x9z (secret web-creds)" || ev.SecretVolumePods[0] != "shop/tls (secret tls-cert)" ||
		strings.Join(ev.CSIDrivers, ",") != "ebs.csi.aws.com,efs.csi.aws.com,secrets-store.csi.k8s.io" || ev.Pods != 6 {
		t.Errorf("evidence %+v", ev)
	}
}
