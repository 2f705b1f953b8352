//! What the wasm bundle is made of: code bytes per Rust crate, read from the name section of the
//! bundle cargo builds before wasm-bindgen and wasm-opt (the served file has no names left).

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;
use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

/// One crate's share of the code.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Contributor {
    /// Crate name (or `(unnamed)`).
    pub name: String,
    /// Bytes of function bodies.
    pub bytes: u64,
    /// Share of all function-body bytes, percent.
    pub percent: f64,
}

/// The `n` crates with the most function-body bytes in the wasm module at `path`, and the
/// module's static data bytes.
pub fn contributors(path: &Path, n: usize) -> anyhow::Result<(Vec<Contributor>, u64)> {
    let bytes = std::fs::read(path)?;
    let mut imported_functions = 0u32;
    let mut bodies: Vec<u64> = Vec::new();
    let mut names: HashMap<u32, String> = HashMap::new();
    let mut data_bytes = 0u64;
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if matches!(import?.ty, TypeRef::Func(_)) {
                        imported_functions += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body.range().len() as u64),
            Payload::DataSection(reader) => data_bytes = reader.range().len() as u64,
            Payload::CustomSection(section) => {
                if let KnownCustom::Name(reader) = section.as_known() {
                    for name in reader {
                        if let Name::Function(map) = name? {
                            for naming in map {
                                let naming = naming?;
                                names.insert(naming.index, naming.name.to_owned());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut per_crate: HashMap<String, u64> = HashMap::new();
    for (i, size) in bodies.iter().enumerate() {
        let index = imported_functions + i as u32;
        let name = names
            .get(&index)
            .map_or_else(|| "(unnamed)".to_owned(), |n| crate_of(n));
        *per_crate.entry(name).or_default() += size;
    }
    let total: u64 = bodies.iter().sum();
    let mut ranked: Vec<Contributor> = per_crate
        .into_iter()
        .map(|(name, bytes)| Contributor {
            name,
            bytes,
            percent: if total > 0 {
                bytes as f64 * 100.0 / total as f64
            } else {
                0.0
            },
        })
        .collect();
    ranked.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
    ranked.truncate(n);
    Ok((ranked, data_bytes))
}

/// The crate a (mangled) function name belongs to: the first path segment of the demangled
/// name, looking through `<T as Trait>` to `T`.
fn crate_of(mangled: &str) -> String {
    let demangled = rustc_demangle::demangle(mangled).to_string();
    let mut path = demangled.trim_start_matches(['<', '&', '*', '(']);
    path = path.strip_prefix("mut ").unwrap_or(path);
    path = path.strip_prefix("dyn ").unwrap_or(path);
    // `<T as tachys::view::Render>::build`: a generic parameter belongs to the trait's crate.
    if let Some((head, tail)) = path.split_once(" as ")
        && !head.contains("::")
    {
        path = tail;
    }
    let end = path
        .find("::")
        .or_else(|| path.find([' ', '<', '>', '(']))
        .unwrap_or(path.len());
    // v0 mangling names a crate with its disambiguator: `core[c5930c85a12de822]`.
    let head = path[..end].split('[').next().unwrap_or_default();
    if head.is_empty() {
        "(unnamed)".to_owned()
    } else {
        head.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crates_are_read_from_paths_and_trait_impls() {
        assert_eq!(crate_of("leptos_router::hooks::use_query"), "leptos_router");
        assert_eq!(
            crate_of("<tachys::view::any_view::AnyView as tachys::view::Render>::build"),
            "tachys"
        );
        assert_eq!(
            crate_of("<&mut serde_json::de::Deserializer<R>>::x"),
            "serde_json"
        );
        assert_eq!(crate_of("<T as tachys::view::Render>::build"), "tachys");
        assert_eq!(crate_of("core[c5930c85a12de822]::fmt::write"), "core");
        assert_eq!(crate_of("memcpy"), "memcpy");
        assert_eq!(crate_of("_ZN4core3fmt5write17h0123456789abcdefE"), "core");
    }
}
