// Package kubeapi reads what the Kubernetes controls judge from a cluster's Kubernetes API with
// client-go: namespaces, pods, workloads, service accounts, RBAC, network policies, CSI drivers,
// the objects of the default namespace and, for the kubelet controls, each node's configz. Every
// list is read page by page (no watch, no informer cache), and a failure never stops the others:
// it is recorded under the verb and resource it needed ("list pods"), so that only the checks that
// read it are ERROR. An API that cannot be reached at all, or that refuses the credentials, is
// Kube.Error. Only list and get are ever sent (docs/kubernetes-controls.md).
package kubeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authnv1 "k8s.io/api/authentication/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/eksguard/eksguard/internal/model"
)

// Options bound a read.
type Options struct {
	// Timeout bounds each request (default 15 s).
	Timeout time.Duration
	// PageSize is the limit of each list page (default 500).
	PageSize int64
	// Lists is how many lists run at once (default 6); Nodes how many configz requests (default 8).
	Lists, Nodes int
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	if o.PageSize <= 0 {
		o.PageSize = 500
	}
	if o.Lists <= 0 {
		o.Lists = 6
	}
	if o.Nodes <= 0 {
		o.Nodes = 8
	}
	return o
}

// Config prepares a client configuration for reading: requests are bounded by the timeout, the
// client-side rate limiter allows a large cluster to be read in seconds, and protocol buffers are
// asked for where the API serves them.
func Config(cfg *rest.Config, o Options) *rest.Config {
	o = o.withDefaults()
	cfg = rest.CopyConfig(cfg)
	cfg.Timeout = o.Timeout
	cfg.QPS, cfg.Burst = 200, 400
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	if cfg.UserAgent == "" {
		cfg.UserAgent = "eksguard"
	}
	return cfg
}

// Read reads the parts asked for (model.PartKubernetes, model.PartKubelet) from the API cfg points
// at. auth says how eksguard authenticated, for the evidence. It never returns nil.
func Read(ctx context.Context, cfg *rest.Config, auth string, parts model.Parts, o Options) *model.Kube {
	o = o.withDefaults()
	kube := &model.Kube{Server: cfg.Host, Auth: auth}
	cfg = Config(cfg, o)
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		kube.Error = "client configuration: " + err.Error()
		return kube
	}
	// /version first: the one request that tells an endpoint that cannot be reached, or a cluster
	// that refuses the token, from a missing permission.
	v, err := cs.Discovery().ServerVersion()
	if err != nil {
		kube.Error = reachError(cfg.Host, err)
		return kube
	}
	kube.GitVersion = v.GitVersion
	if who := whoAmI(ctx, cs); who != "" {
		if kube.Auth != "" {
			kube.Auth += "; "
		}
		kube.Auth += "the cluster knows it as " + who
	}
	r := &reader{cs: cs, kube: kube, page: o.PageSize}
	var jobs []func(context.Context)
	if parts.Has(model.PartKubernetes) {
		jobs = append(jobs, r.kubernetesJobs()...)
	}
	if parts.Has(model.PartKubelet) {
		jobs = append(jobs, func(ctx context.Context) { r.nodes(ctx, o.Nodes) })
	}
	run(ctx, jobs, o.Lists)
	r.finish()
	return kube
}

// run runs the jobs, at most n at a time.
func run(ctx context.Context, jobs []func(context.Context), n int) {
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			job(ctx)
		}()
	}
	wg.Wait()
}

// reachError says why the API could not be read at all, in the words a user acts on.
func reachError(host string, err error) string {
	var status apierrors.APIStatus
	switch {
	case apierrors.IsUnauthorized(err):
		return fmt.Sprintf("%s refused eksguard's credentials (401 Unauthorized): on EKS, give the caller's IAM principal an access entry "+
			"(or an aws-auth mapping) bound to the eksguard-reader ClusterRole (README, Kubernetes access)", host)
	case errors.As(err, &status):
		return fmt.Sprintf("%s answered GET /version with %d %s: %s", host, status.Status().Code, status.Status().Reason, status.Status().Message)
	}
	msg := err.Error()
	var nerr net.Error
	var uerr *url.Error
	if errors.As(err, &uerr) {
		msg = uerr.Err.Error()
	}
	hint := ""
	if (errors.As(err, &nerr) && nerr.Timeout()) || strings.Contains(msg, "timeout") || strings.Contains(msg, "connection refused") ||
		strings.Contains(msg, "no such host") || strings.Contains(msg, "no route to host") {
		hint = " (a private-only endpoint, or a public one whose allowlist leaves out this caller, cannot be reached from here: run eksguard inside the VPC or from an allowed address)"
	}
	if strings.Contains(msg, "certificate") || strings.Contains(msg, "x509") {
		hint = " (the server's certificate does not verify against the cluster's certificate authority)"
	}
	return fmt.Sprintf("cannot reach %s: %s%s", host, msg, hint)
}

// whoAmI asks the API who the credentials are (SelfSubjectReview); "" when it cannot say.
func whoAmI(ctx context.Context, cs kubernetes.Interface) string {
	res, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil || res.Status.UserInfo.Username == "" {
		return ""
	}
	u := res.Status.UserInfo
	who := "user " + u.Username
	if len(u.Groups) > 0 {
		who += " in groups " + strings.Join(u.Groups, ", ")
	}
	return who
}

// reader fills one Kube; mu guards it while lists run at once.
type reader struct {
	cs   kubernetes.Interface
	page int64
	mu   sync.Mutex
	kube *model.Kube

	// owners maps "ReplicaSet/ns/name" and "Job/ns/name" to their own controller
	// ("Deployment/web", "CronJob/nightly"), so that a pod names its workload.
	owners map[string]string
}

// fail records a read that failed.
func (r *reader) fail(op string, err error) {
	e := model.Error{Operation: op, Message: statusMessage(err)}
	var s apierrors.APIStatus
	if errors.As(err, &s) {
		e.Code = string(s.Status().Reason)
	}
	e.AccessDenied = apierrors.IsForbidden(err)
	r.mu.Lock()
	r.kube.Errors = append(r.kube.Errors, e)
	r.mu.Unlock()
}

// listAll reads every page of a list. A continue token that expired (410 Gone) restarts the list
// once without paging, as client-go's pager does.
func listAll[T any](ctx context.Context, page int64, list func(context.Context, metav1.ListOptions) ([]T, string, error)) ([]T, error) {
	var out []T
	opts := metav1.ListOptions{Limit: page}
	for {
		items, next, err := list(ctx, opts)
		if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
			items, _, err = list(ctx, metav1.ListOptions{})
			return items, err
		}
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		opts.Continue = next
	}
}

// controllerOf is the controlling owner reference of an object, "Kind/name", or "".
func controllerOf(refs []metav1.OwnerReference) string {
	for _, ref := range refs {
		if ref.Controller != nil && *ref.Controller {
			return ref.Kind + "/" + ref.Name
		}
	}
	return ""
}

func (r *reader) kubernetesJobs() []func(context.Context) {
	r.owners = map[string]string{}
	core, apps, batch := r.cs.CoreV1(), r.cs.AppsV1(), r.cs.BatchV1()
	return []func(context.Context){
		func(ctx context.Context) {
			items, err := listAll(ctx, r.page, func(ctx context.Context, o metav1.ListOptions) ([]corev1.Namespace, string, error) {
				l, err := core.Namespaces().List(ctx, o)
				return items(l, err, func(l *corev1.NamespaceList) ([]corev1.Namespace, string) { return l.Items, l.Continue })
			})
			if err != nil {
				r.fail("list namespaces", err)
				return
			}
			out := make([]model.Namespace, len(items))
			for i, n := range items {
				out[i] = model.Namespace{Name: n.Name, Labels: n.Labels}
			}
			r.set(func(k *model.Kube) { k.Namespaces = out })
		},
		func(ctx context.Context) {
			items, err := listAll(ctx, r.page, func(ctx context.Context, o metav1.ListOptions) ([]corev1.Pod, string, error) {
				l, err := core.Pods("").List(ctx, o)
				return items(l, err, func(l *corev1.PodList) ([]corev1.Pod, string) { return l.Items, l.Continue })
			})
			if err != nil {
				r.fail("list pods", err)
				return
			}
			out := make([]model.Pod, len(items))
			for i := range items {
				p := &items[i]
				out[i] = model.Pod{Namespace: p.Namespace, Name: p.Name, Labels: p.Labels, Annotations: p.Annotations,
					Owner: controllerOf(p.OwnerReferences), Phase: string(p.Status.Phase), Spec: p.Spec}
			}
			r.set(func(k *model.Kube) { k.Pods = out })
		},
		func(ctx context.Context) {
			items, err := listAll(ctx, r.page, func(ctx context.Context, o metav1.ListOptions) ([]corev1.ServiceAccount, string, error) {
				l, err := core.ServiceAccounts("").List(ctx, o)
				return items(l, err, func(l *corev1.ServiceAccountList) ([]corev1.ServiceAccount, string) { return l.Items, l.Continue })
			})
			if err != nil {
				r.fail("list serviceaccounts", err)
				return
			}
			out := make([]model.ServiceAccount, len(items))
			for i, sa := range items {
				out[i] = model.ServiceAccount{Namespace: sa.Namespace, Name: sa.Name, AutomountToken: sa.AutomountServiceAccountToken}
			}
			r.set(func(k *model.Kube) { k.ServiceAccounts = out })
		},
		rbacJob(r, "list roles", func(ctx context.Context, o metav1.ListOptions) ([]rbacv1.Role, string, error) {
			l, err := r.cs.RbacV1().Roles("").List(ctx, o)
			return items(l, err, func(l *rbacv1.RoleList) ([]rbacv1.Role, string) { return l.Items, l.Continue })
		}, func(k *model.Kube, v []rbacv1.Role) { k.Roles = v }),
		rbacJob(r, "list clusterroles", func(ctx context.Context, o metav1.ListOptions) ([]rbacv1.ClusterRole, string, error) {
			l, err := r.cs.RbacV1().ClusterRoles().List(ctx, o)
			return items(l, err, func(l *rbacv1.ClusterRoleList) ([]rbacv1.ClusterRole, string) { return l.Items, l.Continue })
		}, func(k *model.Kube, v []rbacv1.ClusterRole) { k.ClusterRoles = v }),
		rbacJob(r, "list rolebindings", func(ctx context.Context, o metav1.ListOptions) ([]rbacv1.RoleBinding, string, error) {
			l, err := r.cs.RbacV1().RoleBindings("").List(ctx, o)
			return items(l, err, func(l *rbacv1.RoleBindingList) ([]rbacv1.RoleBinding, string) { return l.Items, l.Continue })
		}, func(k *model.Kube, v []rbacv1.RoleBinding) { k.RoleBindings = v }),
		rbacJob(r, "list clusterrolebindings", func(ctx context.Context, o metav1.ListOptions) ([]rbacv1.ClusterRoleBinding, string, error) {
			l, err := r.cs.RbacV1().ClusterRoleBindings().List(ctx, o)
			return items(l, err, func(l *rbacv1.ClusterRoleBindingList) ([]rbacv1.ClusterRoleBinding, string) {
				return l.Items, l.Continue
			})
		}, func(k *model.Kube, v []rbacv1.ClusterRoleBinding) { k.ClusterRoleBindings = v }),
		func(ctx context.Context) {
			items, err := listAll(ctx, r.page, func(ctx context.Context, o metav1.ListOptions) ([]networkingv1.NetworkPolicy, string, error) {
				l, err := r.cs.NetworkingV1().NetworkPolicies("").List(ctx, o)
				return items(l, err, func(l *networkingv1.NetworkPolicyList) ([]networkingv1.NetworkPolicy, string) {
					return l.Items, l.Continue
				})
			})
			if err != nil {
				r.fail("list networkpolicies", err)
				return
			}
			out := make([]model.ObjectRef, len(items))
			for i, p := range items {
				out[i] = model.ObjectRef{Kind: "NetworkPolicy", Namespace: p.Namespace, Name: p.Name}
			}
			r.set(func(k *model.Kube) { k.NetworkPolicies = out })
		},
		func(ctx context.Context) {
			items, err := listAll(ctx, r.page, func(ctx context.Context, o metav1.ListOptions) ([]storagev1.CSIDriver, string, error) {
				l, err := r.cs.StorageV1().CSIDrivers().List(ctx, o)
				return items(l, err, func(l *storagev1.CSIDriverList) ([]storagev1.CSIDriver, string) { return l.Items, l.Continue })
			})
			if err != nil {
				r.fail("list csidrivers", err)
				return
			}
			out := make([]string, len(items))
			for i, d := range items {
				out[i] = d.Name
			}
			r.set(func(k *model.Kube) { k.CSIDrivers = out })
		},
		r.workloadJob("list deployments", "Deployment", func(ctx context.Context, o metav1.ListOptions) ([]model.Workload, []ownership, string, error) {
			l, err := apps.Deployments("").List(ctx, o)
			if err != nil {
				return nil, nil, "", err
			}
			out := make([]model.Workload, len(l.Items))
			for i, d := range l.Items {
				out[i] = model.Workload{Kind: "Deployment", Namespace: d.Namespace, Name: d.Name, Template: d.Spec.Template}
			}
			return out, nil, l.Continue, nil
		}),
		r.workloadJob("list statefulsets", "StatefulSet", func(ctx context.Context, o metav1.ListOptions) ([]model.Workload, []ownership, string, error) {
			l, err := apps.StatefulSets("").List(ctx, o)
			if err != nil {
				return nil, nil, "", err
			}
			out := make([]model.Workload, len(l.Items))
			for i, d := range l.Items {
				out[i] = model.Workload{Kind: "StatefulSet", Namespace: d.Namespace, Name: d.Name, Template: d.Spec.Template}
			}
			return out, nil, l.Continue, nil
		}),
		r.workloadJob("list daemonsets", "DaemonSet", func(ctx context.Context, o metav1.ListOptions) ([]model.Workload, []ownership, string, error) {
			l, err := apps.DaemonSets("").List(ctx, o)
			if err != nil {
				return nil, nil, "", err
			}
			out := make([]model.Workload, len(l.Items))
			for i, d := range l.Items {
				out[i] = model.Workload{Kind: "DaemonSet", Namespace: d.Namespace, Name: d.Name, Template: d.Spec.Template}
			}
			return out, nil, l.Continue, nil
		}),
		r.workloadJob("list replicasets", "ReplicaSet", func(ctx context.Context, o metav1.ListOptions) ([]model.Workload, []ownership, string, error) {
			l, err := apps.ReplicaSets("").List(ctx, o)
			if err != nil {
				return nil, nil, "", err
			}
			return ownerless(l.Items, func(rs *appsv1.ReplicaSet) (metav1.ObjectMeta, corev1.PodTemplateSpec) {
				return rs.ObjectMeta, rs.Spec.Template
			},
				"ReplicaSet"), owned(l.Items, func(rs *appsv1.ReplicaSet) metav1.ObjectMeta { return rs.ObjectMeta }, "ReplicaSet"), l.Continue, nil
		}),
		r.workloadJob("list jobs", "Job", func(ctx context.Context, o metav1.ListOptions) ([]model.Workload, []ownership, string, error) {
			l, err := batch.Jobs("").List(ctx, o)
			if err != nil {
				return nil, nil, "", err
			}
			return ownerless(l.Items, func(j *batchv1.Job) (metav1.ObjectMeta, corev1.PodTemplateSpec) { return j.ObjectMeta, j.Spec.Template },
				"Job"), owned(l.Items, func(j *batchv1.Job) metav1.ObjectMeta { return j.ObjectMeta }, "Job"), l.Continue, nil
		}),
		r.workloadJob("list cronjobs", "CronJob", func(ctx context.Context, o metav1.ListOptions) ([]model.Workload, []ownership, string, error) {
			l, err := batch.CronJobs("").List(ctx, o)
			if err != nil {
				return nil, nil, "", err
			}
			out := make([]model.Workload, len(l.Items))
			for i, c := range l.Items {
				out[i] = model.Workload{Kind: "CronJob", Namespace: c.Namespace, Name: c.Name, Template: c.Spec.JobTemplate.Spec.Template}
			}
			return out, nil, l.Continue, nil
		}),
		r.defaultJob("list services", func(ctx context.Context, o metav1.ListOptions) ([]metav1.ObjectMeta, string, error) {
			l, err := core.Services(metav1.NamespaceDefault).List(ctx, o)
			return metas(l, err, func(l *corev1.ServiceList) ([]corev1.Service, string) { return l.Items, l.Continue },
				func(s *corev1.Service) metav1.ObjectMeta { return s.ObjectMeta })
		}, "Service"),
		r.defaultJob("list configmaps", func(ctx context.Context, o metav1.ListOptions) ([]metav1.ObjectMeta, string, error) {
			l, err := core.ConfigMaps(metav1.NamespaceDefault).List(ctx, o)
			return metas(l, err, func(l *corev1.ConfigMapList) ([]corev1.ConfigMap, string) { return l.Items, l.Continue },
				func(s *corev1.ConfigMap) metav1.ObjectMeta { return s.ObjectMeta })
		}, "ConfigMap"),
		r.defaultJob("list persistentvolumeclaims", func(ctx context.Context, o metav1.ListOptions) ([]metav1.ObjectMeta, string, error) {
			l, err := core.PersistentVolumeClaims(metav1.NamespaceDefault).List(ctx, o)
			return metas(l, err, func(l *corev1.PersistentVolumeClaimList) ([]corev1.PersistentVolumeClaim, string) {
				return l.Items, l.Continue
			},
				func(s *corev1.PersistentVolumeClaim) metav1.ObjectMeta { return s.ObjectMeta })
		}, "PersistentVolumeClaim"),
		r.defaultJob("list ingresses", func(ctx context.Context, o metav1.ListOptions) ([]metav1.ObjectMeta, string, error) {
			l, err := r.cs.NetworkingV1().Ingresses(metav1.NamespaceDefault).List(ctx, o)
			return metas(l, err, func(l *networkingv1.IngressList) ([]networkingv1.Ingress, string) { return l.Items, l.Continue },
				func(s *networkingv1.Ingress) metav1.ObjectMeta { return s.ObjectMeta })
		}, "Ingress"),
	}
}

// items turns a typed list (or its error) into its items and continue token.
func items[L any, T any](l *L, err error, get func(*L) ([]T, string)) ([]T, string, error) {
	if err != nil {
		return nil, "", err
	}
	it, next := get(l)
	return it, next, nil
}

// metas is items for a list of which only the objects' metadata is kept.
func metas[L any, T any](l *L, err error, get func(*L) ([]T, string), meta func(*T) metav1.ObjectMeta) ([]metav1.ObjectMeta, string, error) {
	it, next, err := items(l, err, get)
	if err != nil {
		return nil, "", err
	}
	out := make([]metav1.ObjectMeta, len(it))
	for i := range it {
		out[i] = meta(&it[i])
	}
	return out, next, nil
}

// set changes the Kube under the lock.
func (r *reader) set(f func(*model.Kube)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r.kube)
}

// rbacJob lists one kind of RBAC object whole: the RBAC evaluation needs every field.
func rbacJob[T any](r *reader, op string, list func(context.Context, metav1.ListOptions) ([]T, string, error), store func(*model.Kube, []T)) func(context.Context) {
	return func(ctx context.Context) {
		items, err := listAll(ctx, r.page, list)
		if err != nil {
			r.fail(op, err)
			return
		}
		for i := range items {
			clearManagedFields(any(&items[i]))
		}
		r.set(func(k *model.Kube) { store(k, items) })
	}
}

// clearManagedFields drops server-side apply bookkeeping, which is most of an RBAC object's size.
func clearManagedFields(obj any) {
	if m, ok := obj.(metav1.Object); ok {
		m.SetManagedFields(nil)
	}
}

// ownership says that an object ("ReplicaSet/ns/web-5d8f") is controlled by another
// ("Deployment/web").
type ownership struct{ object, owner string }

func ownerless[T any](list []T, get func(*T) (metav1.ObjectMeta, corev1.PodTemplateSpec), kind string) []model.Workload {
	var out []model.Workload
	for i := range list {
		meta, tpl := get(&list[i])
		if controllerOf(meta.OwnerReferences) == "" {
			out = append(out, model.Workload{Kind: kind, Namespace: meta.Namespace, Name: meta.Name, Template: tpl})
		}
	}
	return out
}

func owned[T any](list []T, get func(*T) metav1.ObjectMeta, kind string) []ownership {
	var out []ownership
	for i := range list {
		meta := get(&list[i])
		if owner := controllerOf(meta.OwnerReferences); owner != "" {
			out = append(out, ownership{object: kind + "/" + meta.Namespace + "/" + meta.Name, owner: owner})
		}
	}
	return out
}

// workloadJob lists one kind of workload; the objects it finds owned by another controller map
// pods to their workload (finish).
func (r *reader) workloadJob(op, kind string, list func(context.Context, metav1.ListOptions) ([]model.Workload, []ownership, string, error)) func(context.Context) {
	return func(ctx context.Context) {
		var all []model.Workload
		var owners []ownership
		_, err := listAll(ctx, r.page, func(ctx context.Context, o metav1.ListOptions) ([]struct{}, string, error) {
			w, own, next, err := list(ctx, o)
			all, owners = append(all, w...), append(owners, own...)
			return nil, next, err
		})
		if err != nil {
			r.fail(op, err)
			return
		}
		r.set(func(k *model.Kube) {
			k.Workloads = append(k.Workloads, all...)
			for _, o := range owners {
				r.owners[o.object] = o.owner
			}
		})
	}
}

// defaultJob lists one kind of object in the default namespace.
func (r *reader) defaultJob(op string, list func(context.Context, metav1.ListOptions) ([]metav1.ObjectMeta, string, error), kind string) func(context.Context) {
	return func(ctx context.Context) {
		items, err := listAll(ctx, r.page, list)
		if err != nil {
			r.fail(op, err)
			return
		}
		r.set(func(k *model.Kube) {
			for _, m := range items {
				k.DefaultObjects = append(k.DefaultObjects, model.ObjectRef{Kind: kind, Namespace: metav1.NamespaceDefault, Name: m.Name})
			}
		})
	}
}

// finish names each pod's workload through its owner's owner, adds the default namespace's pods,
// service accounts, workloads and RBAC objects to its objects, and sorts every list.
func (r *reader) finish() {
	k := r.kube
	for i := range k.Pods {
		p := &k.Pods[i]
		if up, ok := r.owners[ownerKey(p.Namespace, p.Owner)]; ok {
			p.Owner = up
		}
	}
	for _, p := range k.Pods {
		if p.Namespace == metav1.NamespaceDefault {
			k.DefaultObjects = append(k.DefaultObjects, model.ObjectRef{Kind: "Pod", Namespace: p.Namespace, Name: p.Name})
		}
	}
	for _, sa := range k.ServiceAccounts {
		if sa.Namespace == metav1.NamespaceDefault {
			k.DefaultObjects = append(k.DefaultObjects, model.ObjectRef{Kind: "ServiceAccount", Namespace: sa.Namespace, Name: sa.Name})
		}
	}
	for _, w := range k.Workloads {
		if w.Namespace == metav1.NamespaceDefault {
			k.DefaultObjects = append(k.DefaultObjects, model.ObjectRef{Kind: w.Kind, Namespace: w.Namespace, Name: w.Name})
		}
	}
	for _, ro := range k.Roles {
		if ro.Namespace == metav1.NamespaceDefault {
			k.DefaultObjects = append(k.DefaultObjects, model.ObjectRef{Kind: "Role", Namespace: ro.Namespace, Name: ro.Name})
		}
	}
	for _, b := range k.RoleBindings {
		if b.Namespace == metav1.NamespaceDefault {
			k.DefaultObjects = append(k.DefaultObjects, model.ObjectRef{Kind: "RoleBinding", Namespace: b.Namespace, Name: b.Name})
		}
	}
	sortKube(k)
}

func ownerKey(namespace, owner string) string {
	kind, name, ok := strings.Cut(owner, "/")
	if !ok {
		return ""
	}
	return kind + "/" + namespace + "/" + name
}

// sortKube puts every list in a stable order, so that reports and snapshots are reproducible.
func sortKube(k *model.Kube) {
	sort.Slice(k.Namespaces, func(i, j int) bool { return k.Namespaces[i].Name < k.Namespaces[j].Name })
	sort.Slice(k.Pods, func(i, j int) bool {
		return nsName(k.Pods[i].Namespace, k.Pods[i].Name) < nsName(k.Pods[j].Namespace, k.Pods[j].Name)
	})
	sort.Slice(k.Workloads, func(i, j int) bool {
		a, b := k.Workloads[i], k.Workloads[j]
		return a.Kind+"/"+nsName(a.Namespace, a.Name) < b.Kind+"/"+nsName(b.Namespace, b.Name)
	})
	sort.Slice(k.ServiceAccounts, func(i, j int) bool {
		return nsName(k.ServiceAccounts[i].Namespace, k.ServiceAccounts[i].Name) < nsName(k.ServiceAccounts[j].Namespace, k.ServiceAccounts[j].Name)
	})
	sort.Slice(k.Roles, func(i, j int) bool {
		return nsName(k.Roles[i].Namespace, k.Roles[i].Name) < nsName(k.Roles[j].Namespace, k.Roles[j].Name)
	})
	sort.Slice(k.ClusterRoles, func(i, j int) bool { return k.ClusterRoles[i].Name < k.ClusterRoles[j].Name })
	sort.Slice(k.RoleBindings, func(i, j int) bool {
		return nsName(k.RoleBindings[i].Namespace, k.RoleBindings[i].Name) < nsName(k.RoleBindings[j].Namespace, k.RoleBindings[j].Name)
	})
	sort.Slice(k.ClusterRoleBindings, func(i, j int) bool { return k.ClusterRoleBindings[i].Name < k.ClusterRoleBindings[j].Name })
	for _, refs := range [][]model.ObjectRef{k.NetworkPolicies, k.DefaultObjects} {
		sort.Slice(refs, func(i, j int) bool { return refs[i].String() < refs[j].String() })
	}
	sort.Strings(k.CSIDrivers)
	sort.Slice(k.Nodes, func(i, j int) bool { return k.Nodes[i].Name < k.Nodes[j].Name })
	sort.Slice(k.Errors, func(i, j int) bool { return k.Errors[i].Operation < k.Errors[j].Operation })
}

func nsName(ns, name string) string { return ns + "/" + name }

// nodes lists the nodes and reads each one's kubelet configuration through the API server's node
// proxy, n at a time. A node that does not answer is named with why; the others stand.
func (r *reader) nodes(ctx context.Context, n int) {
	items, err := listAll(ctx, r.page, func(ctx context.Context, o metav1.ListOptions) ([]corev1.Node, string, error) {
		l, err := r.cs.CoreV1().Nodes().List(ctx, o)
		return items(l, err, func(l *corev1.NodeList) ([]corev1.Node, string) { return l.Items, l.Continue })
	})
	if err != nil {
		r.fail("list nodes", err)
		return
	}
	out := make([]model.Node, len(items))
	jobs := make([]func(context.Context), len(items))
	for i := range items {
		node := &items[i]
		out[i] = model.Node{Name: node.Name, KubeletVersion: node.Status.NodeInfo.KubeletVersion, OSImage: node.Status.NodeInfo.OSImage}
		jobs[i] = func(ctx context.Context) {
			raw, err := Configz(ctx, r.cs.CoreV1().RESTClient(), node.Name)
			if err != nil {
				out[i].KubeletError = err.Error()
				return
			}
			out[i].Kubelet = raw
		}
	}
	run(ctx, jobs, n)
	denied := 0
	for _, nd := range out {
		if strings.HasPrefix(nd.KubeletError, forbiddenPrefix) {
			denied++
		}
	}
	if denied > 0 && denied == len(out) {
		r.fail("get nodes/proxy", apierrors.NewForbidden(corev1.Resource("nodes/proxy"), "", errors.New(out[0].KubeletError)))
	}
	r.set(func(k *model.Kube) { k.Nodes = out })
}

const forbiddenPrefix = "forbidden: "

// Configz reads one node's kubelet configuration: GET /api/v1/nodes/NAME/proxy/configz through the
// API server, which forwards it to the kubelet. It returns the kubeletconfig object as the kubelet
// serves it.
func Configz(ctx context.Context, client rest.Interface, node string) (json.RawMessage, error) {
	body, err := client.Get().AbsPath("/api/v1/nodes", node, "proxy", "configz").SetHeader("Accept", "application/json").DoRaw(ctx)
	if err != nil {
		msg := answerMessage(err, body)
		if apierrors.IsForbidden(err) {
			return nil, errors.New(forbiddenPrefix + "eksguard's Kubernetes identity needs get on nodes/proxy: " + msg)
		}
		return nil, errors.New(msg)
	}
	return ParseConfigz(body)
}

// statusMessage is an API error's message, which for a proxied request that failed is what the
// API server says of the node ("error trying to reach service: dial tcp ...").
func statusMessage(err error) string {
	var s apierrors.APIStatus
	if errors.As(err, &s) && s.Status().Message != "" {
		return s.Status().Message
	}
	return err.Error()
}

// answerMessage says why a raw request failed: the Status the server sent, or, for an answer that is
// not one (the node proxy's plain-text refusal, a kubelet's or a load balancer's page), for which
// client-go has only a generic message, the body itself.
func answerMessage(err error, body []byte) string {
	code := 0
	var s apierrors.APIStatus
	if errors.As(err, &s) {
		code = int(s.Status().Code)
	}
	var st metav1.Status
	if json.Unmarshal(body, &st) == nil && st.Kind == "Status" && st.Message != "" {
		return fmt.Sprintf("HTTP %d: %s", st.Code, st.Message)
	}
	text := strings.Join(strings.Fields(string(body)), " ")
	if text == "" || code == 0 {
		return statusMessage(err)
	}
	if len(text) > 300 {
		text = text[:300] + "..."
	}
	return fmt.Sprintf("HTTP %d: %s", code, text)
}

// ParseConfigz takes the whole body of a node's /configz answer, {"kubeletconfig": {...}}, and
// returns the object inside. Anything else is an error that says what came instead: an empty body,
// an HTML page (a proxy's or load balancer's error page), JSON that is not an object, an object
// without kubeletconfig, or a kubeletconfig that is null or not an object.
func ParseConfigz(body []byte) (json.RawMessage, error) {
	text := bytes.TrimSpace(body)
	switch {
	case len(text) == 0:
		return nil, errors.New("configz answered an empty body")
	case text[0] == '<':
		return nil, fmt.Errorf("configz answered HTML, not JSON: %s", klShow(text))
	case text[0] != '{':
		if !json.Valid(text) {
			return nil, fmt.Errorf("configz answered something that is not JSON: %s", klShow(text))
		}
		return nil, fmt.Errorf("configz answered JSON that is not an object: %s", klShow(text))
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(text, &doc); err != nil {
		return nil, fmt.Errorf("configz answered malformed JSON (%v): %s", err, klShow(text))
	}
	inner, ok := doc["kubeletconfig"]
	if !ok {
		keys := make([]string, 0, len(doc))
		for k := range doc {
			keys = append(keys, strconv.Quote(k))
		}
		sort.Strings(keys)
		if len(keys) > 5 {
			keys = append(keys[:5], "...")
		}
		if len(keys) == 0 {
			return nil, errors.New("configz answered an empty object, without kubeletconfig")
		}
		return nil, fmt.Errorf("configz answered an object without kubeletconfig (keys: %s)", strings.Join(keys, ", "))
	}
	inner = bytes.TrimSpace(inner)
	switch {
	case string(inner) == "null":
		return nil, errors.New("configz answered a null kubeletconfig")
	case len(inner) == 0 || inner[0] != '{':
		return nil, fmt.Errorf("configz answered a kubeletconfig that is not an object: %s", klShow(inner))
	}
	return append(json.RawMessage(nil), inner...), nil
}

// klShow quotes the start of a body for an error message.
func klShow(b []byte) string {
	const max = 60
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}
