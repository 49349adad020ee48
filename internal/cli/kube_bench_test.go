package cli

import (
	"context"
	"fmt"
	"io"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/testenv/kubeapi"
)

// BenchmarkKubeScale judges a large cluster from a real API server: 5,000 pods in 50 namespaces
// and 2,000 RBAC objects (500 each of Roles, RoleBindings, ClusterRoles and ClusterRoleBindings,
// besides Kubernetes' own), every Kubernetes control, through the whole CLI (scan --kubeconfig,
// JSON report). It reports the wall time of each scan and the CPU eksguard itself spent on it
// (the API server and etcd run in their own processes).
//
//	go test -run '^$' -bench KubeScale -benchtime 3x ./internal/cli/
func BenchmarkKubeScale(b *testing.B) {
	kube := kubeapi.Start(b, kubeapi.Options{})
	cs, err := kubernetes.NewForConfig(kube.Config())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now()
	const namespaces, podsEach, rbacEach = 50, 100, 500
	parallel(b, namespaces, func(i int) error {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("team-%02d", i)}}, metav1.CreateOptions{})
		return err
	})
	parallel(b, namespaces*podsEach, func(i int) error {
		ns := fmt.Sprintf("team-%02d", i%namespaces)
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("web-%04d", i), Namespace: ns, Labels: map[string]string{"app": "web"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "public.ecr.aws/nginx/nginx:1.27",
				Env: []corev1.EnvVar{{Name: "MODE", Value: "prod"}}}}}}
		_, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
		return err
	})
	rule := []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps", "pods"}, Verbs: []string{"get", "list"}}}
	parallel(b, rbacEach, func(i int) error {
		ns := fmt.Sprintf("team-%02d", i%namespaces)
		name := fmt.Sprintf("reader-%03d", i)
		ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name}
		subj := []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: fmt.Sprintf("user-%03d", i)}}
		if _, err := cs.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Rules: rule}, metav1.CreateOptions{}); err != nil {
			return err
		}
		if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, RoleRef: ref, Subjects: subj}, metav1.CreateOptions{}); err != nil {
			return err
		}
		ref.Kind = "ClusterRole"
		if _, err := cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rule}, metav1.CreateOptions{}); err != nil {
			return err
		}
		_, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: ref, Subjects: subj}, metav1.CreateOptions{})
		return err
	})
	b.Logf("seeded %d pods and %d RBAC objects in %s", namespaces*podsEach, 4*rbacEach, time.Since(start).Round(time.Millisecond))
	path := kube.Kubeconfig(b, "big", kube.AdminToken)
	b.ResetTimer()
	var worst time.Duration
	for b.Loop() {
		streams, _, _, errOut := iostreams.Test()
		streams.Out = io.Discard
		f := &app.Factory{IO: streams, AWSConfig: app.LoadAWSConfig, Now: time.Now}
		cpu0 := cpuTime()
		t0 := time.Now()
		code := Run(ctx, []string{"scan", "--kubeconfig", path, "--skip-controls", "3.2", "--format", "json"}, f)
		wall := time.Since(t0)
		if code != 1 { // the seeded cluster fails controls; anything else is a broken run
			b.Fatalf("exit %d: %s", code, errOut)
		}
		worst = max(worst, wall)
		b.ReportMetric(float64((cpuTime() - cpu0).Milliseconds()), "cpu-ms/op")
	}
	b.ReportMetric(worst.Seconds(), "worst-s")
	if worst > 5*time.Second {
		b.Errorf("a scan took %s; the bound is 5 s", worst)
	}
}

// parallel runs f for 0..n-1, 32 at a time, and stops the benchmark at the first error.
func parallel(b *testing.B, n int, f func(int) error) {
	b.Helper()
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := f(i); err != nil {
				once.Do(func() { first = err })
			}
		}()
	}
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
}

// cpuTime is the CPU this process has spent, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
