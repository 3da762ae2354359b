//! The ABI layout snapshot: everything reachable from the root module, printed canonically
//! and compared with `tests/layout/<ABI version>.txt`.
//!
//! Within one ABI version the layout must not change (abi_stable would refuse every plugin
//! built before the change, or worse). If this test fails:
//! - the change was a mistake: undo it;
//! - the change is wanted: bump the version of moulin-abi (the ABI version, see
//!   docs/abi.md), then run `MOULIN_BLESS=1 cargo test -p moulin-abi --test layout` to write
//!   the snapshot of the new version. A snapshot that exists is never overwritten.
use moulin_abi::abi_stable::{
    type_layout::{TLData, TLFields, TypeLayout},
    StableAbi,
};
use std::collections::HashSet;
use std::fmt::Write;

fn fields_of(layout: &'static TypeLayout) -> Option<TLFields> {
    match layout.data() {
        TLData::Struct { fields } | TLData::Union { fields } => Some(fields),
        TLData::PrefixType(p) => Some(p.fields),
        TLData::Enum(e) => Some(e.fields),
        _ => None,
    }
}

/// Depth-first, each layout once (by identity: `RResult<A, B>` and `RResult<C, D>` print
/// alike but are different layouts), in a fixed order.
fn walk(layout: &'static TypeLayout, seen: &mut HashSet<usize>, out: &mut String) {
    if !seen.insert(layout as *const TypeLayout as usize) {
        return;
    }
    let key = format!("{} ({})", layout.full_type(), layout.package());
    let v = layout.package_version();
    let mut s = format!(
        "{key} {}: size {} align {} {:?} {:?}\n",
        v.version,
        layout.size(),
        layout.alignment(),
        layout.repr_attr(),
        layout.data_discriminant()
    );
    if let TLData::Enum(e) = layout.data() {
        let _ = writeln!(s, "  variants: {:?}", e.variant_names.as_str());
    }
    if let TLData::PrefixType(p) = layout.data() {
        let _ = writeln!(s, "  first suffix field: {}", p.first_suffix_field);
    }
    let mut next = Vec::new();
    for fields in fields_of(layout).into_iter().chain(Some(layout.phantom_fields())) {
        for f in fields.iter() {
            let _ = writeln!(s, "  {}: {}", f.name(), f.full_type());
            for func in f.function_range().iter() {
                let _ = writeln!(s, "    fn {func}");
                for p in func.param_type_layouts.iter() {
                    next.push(p());
                }
                if let Some(r) = func.return_type_layout() {
                    next.push(r());
                }
            }
            next.push(f.layout());
        }
    }
    out.push_str(&s);
    for l in next {
        walk(l, seen, out);
    }
}

fn snapshot() -> String {
    let mut out = String::new();
    walk(<moulin_abi::PluginModule_Ref as StableAbi>::LAYOUT, &mut HashSet::new(), &mut out);
    out
}

#[test]
fn layout_matches_the_snapshot_of_this_abi_version() {
    let path = format!("{}/tests/layout/{}.txt", env!("CARGO_MANIFEST_DIR"), moulin_abi::ABI_VERSION);
    let now = snapshot();
    assert!(now.contains("moulin-abi"), "the walk found no moulin-abi type:\n{now}");
    match std::fs::read_to_string(&path) {
        Ok(saved) => assert!(
            saved == now,
            "the ABI layout changed but the ABI version is still {}.\n\
             Undo the change, or bump moulin-abi's version and bless a new snapshot (see this file's docs).\n\
             --- saved ({path})\n{saved}\n--- now\n{now}",
            moulin_abi::ABI_VERSION
        ),
        Err(_) if std::env::var_os("MOULIN_BLESS").is_some() => {
            std::fs::create_dir_all(std::path::Path::new(&path).parent().unwrap()).unwrap();
            std::fs::write(&path, &now).unwrap();
        }
        Err(e) => panic!(
            "no layout snapshot for ABI {} at {path} ({e}); run with MOULIN_BLESS=1 to write it",
            moulin_abi::ABI_VERSION
        ),
    }
}

#[test]
fn the_snapshot_sees_a_field_change() {
    // The walk must reach the document's fields, or a changed Doc would pass unnoticed.
    let now = snapshot();
    for needle in ["drop_reason", "lang_score", "attrs_json", "abi_major", "new_stage", "max_level"] {
        assert!(now.contains(needle), "{needle} missing from the snapshot:\n{now}");
    }
}
