package terraform

import (
	"fmt"
	"math/big"
	"net/netip"
	"strings"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// functions are the Terraform built-in functions eksguard evaluates. Functions that read files, the
// clock or random sources are known by name but return unknown values: their results are not
// something a scan can rely on.
var functions = buildFunctions()

// opaqueFuncs are Terraform functions whose results eksguard does not compute.
var opaqueFuncs = []string{
	"file", "filebase64", "filebase64sha256", "filebase64sha512", "fileexists", "fileset", "filemd5",
	"filesha1", "filesha256", "filesha512", "templatefile", "timestamp", "plantimestamp", "uuid",
	"uuidv5", "bcrypt", "base64gzip", "rsadecrypt", "abspath", "pathexpand", "dirname", "basename",
	"md5", "sha1", "sha256", "sha512", "base64sha256", "base64sha512", "textencodebase64",
	"textdecodebase64", "yamldecode", "yamlencode", "base64decode", "base64encode", "urlencode",
	"ephemeralasnull", "templatestring", "timeadd", "timecmp", "formatdate", "issensitive",
}

func buildFunctions() map[string]function.Function {
	f := map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc,
		"log": stdlib.LogFunc, "max": stdlib.MaxFunc, "min": stdlib.MinFunc,
		"parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc, "signum": stdlib.SignumFunc,
		"chomp": stdlib.ChompFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc,
		"upper": stdlib.UpperFunc, "regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc,
		"split": stdlib.SplitFunc, "strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc,
		"title": stdlib.TitleFunc, "trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc,
		"trimsuffix": stdlib.TrimSuffixFunc, "trimspace": stdlib.TrimSpaceFunc,
		"chunklist": stdlib.ChunklistFunc, "coalesce": stdlib.CoalesceFunc,
		"coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
		"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc,
		"element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc, "index": stdlib.IndexFunc,
		"keys": stdlib.KeysFunc, "lookup": stdlib.LookupFunc, "merge": stdlib.MergeFunc,
		"range": stdlib.RangeFunc, "reverse": stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc, "setproduct": stdlib.SetProductFunc,
		"setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc,
		"slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "values": stdlib.ValuesFunc,
		"zipmap": stdlib.ZipmapFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"jsonencode": stdlib.JSONEncodeFunc, "csvdecode": stdlib.CSVDecodeFunc,
		"tobool": stdlib.MakeToFunc(cty.Bool), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tostring": stdlib.MakeToFunc(cty.String),
		"tolist":   stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset":    stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tomap":    stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"try":      tryfunc.TryFunc, "can": tryfunc.CanFunc,
		"length": lengthFunc, "one": oneFunc, "alltrue": allTrueFunc, "anytrue": anyTrueFunc,
		"sum": sumFunc, "startswith": startsWithFunc, "endswith": endsWithFunc,
		"strcontains": strContainsFunc, "replace": replaceFunc,
		"sensitive": identityFunc, "nonsensitive": identityFunc, "type": typeFunc,
		"cidrsubnet": cidrSubnetFunc, "cidrhost": cidrHostFunc, "cidrnetmask": cidrNetmaskFunc,
	}
	for _, n := range opaqueFuncs {
		f[n] = opaqueFunc
	}
	return f
}

var opaqueFunc = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true, AllowDynamicType: true, AllowMarked: true},
	Type:     function.StaticReturnType(cty.DynamicPseudoType),
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		return cty.DynamicVal, nil
	},
})

var identityFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true, AllowDynamicType: true}},
	Type:   func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl:   func(args []cty.Value, retType cty.Type) (cty.Value, error) { return args[0], nil },
})

var typeFunc = opaqueFunc

// lengthFunc is Terraform's length, which unlike cty's also counts the characters of a string.
var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		v := args[0]
		ty := v.Type()
		switch {
		case ty == cty.DynamicPseudoType:
			return cty.UnknownVal(cty.Number), nil
		case ty == cty.String:
			if !v.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			return stdlib.Strlen(v)
		case ty.IsListType() || ty.IsSetType() || ty.IsMapType() || ty.IsTupleType() || ty.IsObjectType():
			if ty.IsTupleType() {
				return cty.NumberIntVal(int64(len(ty.TupleElementTypes()))), nil
			}
			if ty.IsObjectType() {
				return cty.NumberIntVal(int64(len(ty.AttributeTypes()))), nil
			}
			if !v.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			return v.Length(), nil
		}
		return cty.UnknownVal(cty.Number), fmt.Errorf("argument must be a string, a collection type, or a structural type")
	},
})

var oneFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty.IsListType() || ty.IsSetType():
			return ty.ElementType(), nil
		case ty.IsTupleType():
			ets := ty.TupleElementTypes()
			switch len(ets) {
			case 0:
				return cty.DynamicPseudoType, nil
			case 1:
				return ets[0], nil
			}
		}
		return cty.NilType, fmt.Errorf("must be a list, set, or tuple value with either zero or one elements")
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		v := args[0]
		if v.IsNull() {
			return cty.NullVal(retType), nil
		}
		switch v.LengthInt() {
		case 0:
			return cty.NullVal(retType), nil
		case 1:
			it := v.ElementIterator()
			it.Next()
			_, e := it.Element()
			return e, nil
		}
		return cty.NilVal, fmt.Errorf("must be a list, set, or tuple value with either zero or one elements")
	},
})

func boolFold(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
			result := all
			for it := args[0].ElementIterator(); it.Next(); {
				_, e := it.Element()
				if !e.IsKnown() {
					return cty.UnknownVal(cty.Bool), nil
				}
				if e.IsNull() {
					if all {
						result = false
					}
					continue
				}
				if all && e.False() {
					result = false
				}
				if !all && e.True() {
					result = true
				}
			}
			return cty.BoolVal(result), nil
		},
	})
}

var allTrueFunc = boolFold(true)
var anyTrueFunc = boolFold(false)

var sumFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Number)}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		if args[0].LengthInt() == 0 {
			return cty.NilVal, fmt.Errorf("cannot sum an empty list")
		}
		total := cty.Zero
		for it := args[0].ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() {
				return cty.NilVal, fmt.Errorf("argument must be list of numbers without nulls")
			}
			total = total.Add(e)
		}
		return total, nil
	},
})

func strPredicate(f func(s, sub string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "sub", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
			return cty.BoolVal(f(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

var startsWithFunc = strPredicate(strings.HasPrefix)
var endsWithFunc = strPredicate(strings.HasSuffix)
var strContainsFunc = strPredicate(strings.Contains)

// replaceFunc is Terraform's replace: a substring, or a regular expression when written /like this/.
var replaceFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "substr", Type: cty.String}, {Name: "replace", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		sub := args[1].AsString()
		if len(sub) > 1 && sub[0] == '/' && sub[len(sub)-1] == '/' {
			return stdlib.RegexReplace(args[0], cty.StringVal(sub[1:len(sub)-1]), args[2])
		}
		return stdlib.Replace(args[0], args[1], args[2])
	},
})

var cidrSubnetFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "prefix", Type: cty.String}, {Name: "newbits", Type: cty.Number}, {Name: "netnum", Type: cty.Number}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		p, err := netip.ParsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, fmt.Errorf("invalid CIDR expression: %v", err)
		}
		p = p.Masked()
		newbits, acc := args[1].AsBigFloat().Int64()
		if acc != big.Exact || newbits < 0 {
			return cty.NilVal, fmt.Errorf("newbits must be a non-negative whole number")
		}
		bits := p.Bits() + int(newbits)
		if bits > p.Addr().BitLen() {
			return cty.NilVal, fmt.Errorf("insufficient address space to extend prefix of %d by %d", p.Bits(), newbits)
		}
		num, acc := args[2].AsBigFloat().Int(nil)
		if acc != big.Exact || num.Sign() < 0 || num.BitLen() > int(newbits) {
			return cty.NilVal, fmt.Errorf("prefix extension of %d does not accommodate a subnet numbered %s", newbits, num)
		}
		base := new(big.Int).SetBytes(p.Addr().AsSlice())
		shifted := new(big.Int).Lsh(num, uint(p.Addr().BitLen()-bits))
		addr, ok := addrFromInt(new(big.Int).Or(base, shifted), p.Addr().Is4())
		if !ok {
			return cty.NilVal, fmt.Errorf("address out of range")
		}
		return cty.StringVal(netip.PrefixFrom(addr, bits).String()), nil
	},
})

var cidrHostFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "prefix", Type: cty.String}, {Name: "hostnum", Type: cty.Number}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		p, err := netip.ParsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, fmt.Errorf("invalid CIDR expression: %v", err)
		}
		p = p.Masked()
		num, acc := args[1].AsBigFloat().Int(nil)
		if acc != big.Exact {
			return cty.NilVal, fmt.Errorf("hostnum must be a whole number")
		}
		hostBits := p.Addr().BitLen() - p.Bits()
		size := new(big.Int).Lsh(big.NewInt(1), uint(hostBits))
		if num.Sign() < 0 {
			num.Add(num, size)
		}
		if num.Sign() < 0 || num.Cmp(size) >= 0 {
			return cty.NilVal, fmt.Errorf("prefix of %d does not accommodate a host numbered %s", p.Bits(), args[1].AsBigFloat().String())
		}
		base := new(big.Int).SetBytes(p.Addr().AsSlice())
		addr, ok := addrFromInt(base.Or(base, num), p.Addr().Is4())
		if !ok {
			return cty.NilVal, fmt.Errorf("address out of range")
		}
		return cty.StringVal(addr.String()), nil
	},
})

var cidrNetmaskFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "prefix", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		p, err := netip.ParsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, fmt.Errorf("invalid CIDR expression: %v", err)
		}
		if !p.Addr().Is4() {
			return cty.NilVal, fmt.Errorf("IPv6 addresses cannot have a netmask: %s", args[0].AsString())
		}
		mask := uint32(0)
		if p.Bits() > 0 {
			mask = ^uint32(0) << (32 - p.Bits())
		}
		a := netip.AddrFrom4([4]byte{byte(mask >> 24), byte(mask >> 16), byte(mask >> 8), byte(mask)})
		return cty.StringVal(a.String()), nil
	},
})

func addrFromInt(n *big.Int, v4 bool) (netip.Addr, bool) {
	size := 16
	if v4 {
		size = 4
	}
	b := n.Bytes()
	if len(b) > size {
		return netip.Addr{}, false
	}
	buf := make([]byte, size)
	copy(buf[size-len(b):], b)
	a, ok := netip.AddrFromSlice(buf)
	return a, ok
}
