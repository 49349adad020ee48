// Command etcd is etcd's own server, built from go.etcd.io/etcd/server/v3 so that eksguard's tests
// can give a real kube-apiserver its storage (see ../README.md).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
