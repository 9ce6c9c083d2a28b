//! Facts as CEL values that copy cheaply.
//!
//! cel binds a comprehension's variable (`users.exists(u, ...)`) to a copy of each element,
//! and copies an element out of anything it indexes. With cel's own map and list types that is
//! a deep copy: a tenant of 100,000 users judged by a handful of checks made millions of map
//! copies. [`SharedMap`] and [`SharedList`] hold their contents behind an `Arc`, so a copy is a
//! reference count; everything else (field access, `has`, `in`, `size`, `+`, iteration, equality)
//! is delegated to cel's own types, which they present themselves as. (Maps and lists have no
//! other operators: `+` concatenates lists, nothing divides or negates them.)

use std::collections::HashMap;
use std::sync::Arc;

use cel::Value;
use cel::common::traits::{Adder, Comparer, Container, Indexer, Iterable, Sizer, Zeroer};
use cel::common::types::{CelList, CelMap, CelMapKey};
use cel::common::value::{Builtin, BuiltinRef, Val};
use cel::objects::Key;

/// A map whose copies share one [`CelMap`].
#[derive(Debug, Clone)]
pub struct SharedMap(Arc<CelMap<'static>>);

/// A list whose copies share one [`CelList`].
#[derive(Debug, Clone)]
pub struct SharedList(Arc<CelList<'static>>);

macro_rules! delegate_val {
    ($ty:ident, $inner:ident) => {
        impl Val for $ty {
            fn get_type(&self) -> &cel::common::types::Type {
                self.0.get_type()
            }

            fn cel_type() -> &'static cel::common::types::Type {
                $inner::cel_type()
            }

            fn as_adder<'b, 'v>(&'b self) -> Option<&'b (dyn Adder + 'v)>
            where
                Self: 'v,
            {
                self.0.as_adder()
            }

            fn as_comparer(&self) -> Option<&dyn Comparer> {
                self.0.as_comparer()
            }

            fn as_container(&self) -> Option<&dyn Container> {
                self.0.as_container()
            }

            fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
            where
                Self: 'v,
            {
                self.0.as_indexer()
            }

            fn as_iterable<'b, 'v>(&'b self) -> Option<&'b (dyn Iterable + 'v)>
            where
                Self: 'v,
            {
                self.0.as_iterable()
            }

            fn as_sizer(&self) -> Option<&dyn Sizer> {
                self.0.as_sizer()
            }

            fn as_zeroer(&self) -> Option<&dyn Zeroer> {
                self.0.as_zeroer()
            }

            fn equals(&self, other: &dyn Val) -> bool {
                match other.as_builtin() {
                    BuiltinRef::Other => false,
                    _ => self.0.equals(other),
                }
            }

            fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
            where
                Self: 'v,
            {
                Box::new(self.clone())
            }

            fn as_builtin<'b, 'v>(&'b self) -> BuiltinRef<'b, 'v>
            where
                Self: 'v,
            {
                self.0.as_builtin()
            }

            fn into_builtin<'v>(self: Box<Self>) -> Option<Builtin<'v>>
            where
                Self: 'v,
            {
                Box::new(Arc::unwrap_or_clone(self.0)).into_builtin()
            }
        }
    };
}

delegate_val!(SharedMap, CelMap);
delegate_val!(SharedList, CelList);

/// Converts a cel value into a value whose maps and lists are shared.
pub fn shared(value: Value) -> Result<Box<dyn Val>, String> {
    match value {
        Value::Map(map) => {
            let entries = Arc::unwrap_or_clone(map.map)
                .into_iter()
                .map(|(key, value)| {
                    let key = match key {
                        Key::Int(i) => CelMapKey::from(i),
                        Key::Uint(u) => CelMapKey::from(u),
                        Key::Bool(b) => CelMapKey::from(b),
                        Key::String(s) => CelMapKey::from(Arc::unwrap_or_clone(s)),
                    };
                    shared(value).map(|v| (key, v))
                })
                .collect::<Result<HashMap<_, _>, _>>()?;
            Ok(Box::new(SharedMap(Arc::new(CelMap::from(entries)))))
        }
        Value::List(list) => {
            let items = Arc::unwrap_or_clone(list)
                .into_iter()
                .map(shared)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Box::new(SharedList(Arc::new(CelList::from(items)))))
        }
        atom => Box::<dyn Val>::try_from(atom).map_err(|e| e.to_string()),
    }
}
