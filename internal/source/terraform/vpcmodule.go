package terraform

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/go-version"
	"github.com/zclconf/go-cty/cty"

	"github.com/eksguard/eksguard/internal/model"
)

// The terraform-aws-modules/vpc registry module, as far as node subnets need it (its main.tf and
// variables.tf; 4.0.0 changed the default of map_public_ip_on_launch). Its subnet outputs list one
// subnet per CIDR block given in the argument of the same name:
//
//   - public_subnets are associated with the public route table, whose 0.0.0.0/0 route (and ::/0
//     with enable_ipv6) goes to the module's internet gateway unless create_igw is false;
//     map_public_ip_on_launch applies to them, default true before 4.0.0 and false since;
//   - private_subnets and outpost_subnets route through the NAT gateways (enable_nat_gateway) or
//     nowhere, intra_subnets and elasticache_subnets have no default route;
//   - database_subnets get a 0.0.0.0/0 route to the internet gateway only with
//     create_database_subnet_route_table and create_database_internet_gateway_route, and without
//     create_database_nat_gateway_route;
//   - redshift_subnets are associated with the public route table when enable_public_redshift.
//
// create_vpc = false creates none of them. The model is used only when the module is not installed
// in .terraform/modules (an installed copy is evaluated as it is written), and only for a call
// without count or for_each.

// isVPCModule recognises terraform-aws-modules/vpc from the registry or its Git repository, not
// its submodules.
func isVPCModule(src string) bool {
	s := strings.ToLower(strings.TrimSpace(src))
	for _, host := range []string{"registry.terraform.io/", "registry.opentofu.org/"} {
		s = strings.TrimPrefix(s, host)
	}
	if s == "terraform-aws-modules/vpc/aws" {
		return true
	}
	s, _, _ = strings.Cut(s, "?")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "/"), ".git")
	return strings.HasSuffix(s, "github.com/terraform-aws-modules/terraform-aws-vpc")
}

// vpcSubnetLists are the module's subnet outputs, each named like its argument of CIDR blocks.
var vpcSubnetLists = []string{"public_subnets", "private_subnets", "intra_subnets", "database_subnets", "elasticache_subnets", "redshift_subnets", "outpost_subnets"}

// vpcModel is one call of terraform-aws-modules/vpc.
type vpcModel struct {
	in   *instance
	c    *callDecl
	addr string
}

// modelVPC records a call of terraform-aws-modules/vpc for the references to its subnets.
func (in *instance) modelVPC(c *callDecl) {
	if c.attrs["count"] != nil || c.attrs["for_each"] != nil {
		return
	}
	vm := &vpcModel{in: in, c: c, addr: in.prefix + "module." + c.name}
	if in.vpcs == nil {
		in.vpcs = map[string]*vpcModel{}
	}
	in.vpcs[c.name] = vm
	in.partsState().vpcs[vm.addr] = vm
}

// value is the call's outputs in reference evaluation: each subnet list a tuple of tokens, every
// other output unknown.
func (vm *vpcModel) value(names map[string]bool) cty.Value {
	attrs := map[string]cty.Value{}
	for n := range names {
		attrs[n] = cty.DynamicVal
	}
	m := vm.in.refs()
	for _, list := range vpcSubnetLists {
		n, why := vm.count(list)
		if why != "" && vm.sameRoutes(list) {
			// How many subnets the list makes is unknown (its CIDR blocks come from the
			// availability zones a data source reads), but every one of them is routed alike:
			// one token stands for them all.
			attrs[list] = cty.TupleVal([]cty.Value{cty.StringVal(token(tokVPC, list, vm.addr+"."+list+"[*]"))})
			continue
		}
		if why != "" {
			attrs[list] = cty.DynamicVal
			m.reasons["module."+vm.c.name+"."+list] = why
			continue
		}
		elems := make([]cty.Value, n)
		for i := range elems {
			elems[i] = cty.StringVal(token(tokVPC, list, vm.addr+"."+list+"["+strconv.Itoa(i)+"]"))
		}
		attrs[list] = cty.TupleVal(elems)
	}
	return cty.ObjectVal(attrs)
}

// sameRoutes reports whether the list's subnets exist and share one routing whatever their number:
// the module surely creates the VPC and the list is given, only its length is unknown.
func (vm *vpcModel) sameRoutes(list string) bool {
	create := vm.flag("create_vpc", true)
	return create.Known() && create.Value && vm.c.attrs[list] != nil
}

// count is how many subnets a list declares, or why that is unknown.
func (vm *vpcModel) count(list string) (int, string) {
	create := vm.flag("create_vpc", true)
	if !create.Known() {
		return 0, fmt.Sprintf("module.%s.%s: whether the module creates the VPC is unknown (%s)", vm.c.name, list, create.Detail)
	}
	if !create.Value {
		return 0, ""
	}
	a := vm.c.attrs[list]
	if a == nil {
		return 0, ""
	}
	e := vm.in.evaluate(a.Expr, nil)
	switch {
	case !e.v.IsKnown():
		return 0, fmt.Sprintf("module.%s.%s: %s = %s is unknown (%s)", vm.c.name, list, list, vm.in.exprText(a.Expr), clean(firstNonEmpty(e.reason, "known only after apply")))
	case e.v.IsNull():
		return 0, ""
	case !e.v.CanIterateElements():
		return 0, fmt.Sprintf("module.%s.%s: %s = %s is not a list of CIDR blocks", vm.c.name, list, list, vm.in.exprText(a.Expr))
	case e.v.LengthInt() > maxInstances:
		return 0, fmt.Sprintf("module.%s.%s: %d subnets, more than eksguard expands", vm.c.name, list, e.v.LengthInt())
	}
	return e.v.LengthInt(), ""
}

// flag reads a boolean argument of the call with the module's default.
func (vm *vpcModel) flag(name string, def bool) model.Bool {
	return vm.in.readBool(vm.c.attrs[name], nil, model.Default(def, "terraform-aws-modules/vpc default"))
}

// major is the major version of the module the call gets (the newest release its constraint
// allows, as terraform init picks), 0 when it cannot be told.
func (vm *vpcModel) major() int {
	if vm.c.version != "" {
		cs, err := version.NewConstraint(vm.c.version)
		if err != nil {
			return 0
		}
		// Candidates: a grid of releases, and the versions the constraint names (= 5.8.1).
		var cands []*version.Version
		for _, part := range strings.Split(vm.c.version, ",") {
			if v, err := version.NewVersion(strings.TrimLeft(strings.TrimSpace(part), "=<>~! ")); err == nil {
				cands = append(cands, v)
			}
		}
		for major := 6; major >= 1; major-- {
			for minor := 30; minor >= 0; minor-- {
				cands = append(cands, version.Must(version.NewVersion(fmt.Sprintf("%d.%d.99", major, minor))), version.Must(version.NewVersion(fmt.Sprintf("%d.%d.0", major, minor))))
			}
		}
		best := (*version.Version)(nil)
		for _, v := range cands {
			if cs.Check(v) && (best == nil || v.GreaterThan(best)) {
				best = v
			}
		}
		if best == nil {
			return 0
		}
		return best.Segments()[0]
	}
	if _, ref, ok := strings.Cut(vm.c.source, "?ref="); ok {
		if v, err := version.NewVersion(strings.TrimPrefix(ref, "v")); err == nil {
			return v.Segments()[0]
		}
	}
	return 0
}

// vpcSubnet is a subnet of a modelled call: addr is module.vpc.<list>[i].
func (st *partsState) vpcSubnet(list, addr string) model.Subnet {
	call := strings.TrimSuffix(addr[:strings.LastIndex(addr, "[")], "."+list)
	s := model.Subnet{ID: addr, Name: addr}
	vm := st.vpcs[call]
	if vm == nil {
		why := addr + " is not found in this tree"
		s.MapPublicIPOnLaunch, s.Routed = model.Unknown(why), model.Unknown(why)
		return s
	}
	s.Loc = loc(vm.c.file.name, vm.c.block.DefRange.Start.Line)
	if a := vm.c.attrs[list]; a != nil {
		s.Loc = attrLoc(a)
	}
	private := func(table, detail string) {
		s.RouteTable = vm.addr + " " + table
		s.Routed = model.Default(true, "terraform-aws-modules/vpc "+detail)
	}
	public := func(table string) {
		igw := vm.flag("create_igw", true)
		s.RouteTable = vm.addr + " " + table
		switch {
		case !igw.Known():
			s.Routed = model.Unknown(fmt.Sprintf("whether %s creates an internet gateway is unknown (%s)", vm.addr, igw.Detail))
		case !igw.Value:
			s.Routed = model.Bool{Value: true, Origin: model.OriginExplicit, Loc: igw.Loc, Detail: "create_igw = false: the module creates no internet gateway and no route to one"}
		default:
			routes := []string{"0.0.0.0/0 -> " + vm.addr + " internet gateway"}
			if v6 := vm.flag("enable_ipv6", false); v6.Known() && v6.Value {
				routes = append(routes, "::/0 -> "+vm.addr+" internet gateway")
			}
			s.InternetRoute = strings.Join(routes, ", ")
			s.Routed = model.Default(true, "terraform-aws-modules/vpc routes its "+table+" to its internet gateway")
		}
	}
	s.MapPublicIPOnLaunch = model.Default(false, "terraform-aws-modules/vpc sets map_public_ip_on_launch on public subnets only")
	switch list {
	case "public_subnets":
		def := model.Default(false, "terraform-aws-modules/vpc default since 4.0.0")
		switch major := vm.major(); {
		case major == 0:
			def = model.Unknown("map_public_ip_on_launch is not set, and its default changed in terraform-aws-modules/vpc 4.0.0 (true before, false since); the version of module." + vm.c.name + " cannot be told")
		case major < 4:
			def = model.Default(true, fmt.Sprintf("terraform-aws-modules/vpc v%d default", major))
		}
		s.MapPublicIPOnLaunch = vm.in.readBool(vm.c.attrs["map_public_ip_on_launch"], nil, def)
		public("public route table")
	case "database_subnets":
		own, inet := vm.flag("create_database_subnet_route_table", false), vm.flag("create_database_internet_gateway_route", false)
		nat := vm.flag("create_database_nat_gateway_route", false)
		switch {
		case !own.Known() || !inet.Known() || !nat.Known():
			s.Routed = model.Unknown(fmt.Sprintf("whether %s routes its database subnets to its internet gateway is unknown (%s)", vm.addr, firstNonEmpty(unknownDetail(own), unknownDetail(inet), unknownDetail(nat))))
		case own.Value && inet.Value && !nat.Value:
			public("database route table")
		default:
			private("private route tables", "gives database subnets no route to its internet gateway unless create_database_subnet_route_table and create_database_internet_gateway_route are true and create_database_nat_gateway_route is false")
		}
	case "redshift_subnets":
		pub := vm.flag("enable_public_redshift", false)
		switch {
		case !pub.Known():
			s.Routed = model.Unknown(fmt.Sprintf("whether %s puts its redshift subnets in its public route table is unknown (%s)", vm.addr, pub.Detail))
		case pub.Value:
			public("public route table")
		default:
			private("private route tables", "gives redshift subnets no route to its internet gateway unless enable_public_redshift is true")
		}
	case "intra_subnets":
		private("intra route table", "gives intra subnets no route out of the VPC")
	case "elasticache_subnets":
		private("private route tables", "gives elasticache subnets no route to its internet gateway")
	default:
		private("private route tables", "routes private subnets through its NAT gateways (enable_nat_gateway) or nowhere, never to its internet gateway")
	}
	return s
}

func unknownDetail(b model.Bool) string {
	if b.Known() {
		return ""
	}
	return b.Detail
}
