//! Functions postura adds to CEL for check conditions.
//!
//! - `ranges.containing(port)`: the elements of a list of port ranges (maps with `from` and
//!   `to`, like `host.firewall.families[].tcp`) that contain `port`. A firewall of 50,000 rules
//!   leaves tens of thousands of ranges; a condition that walks them for each sensitive port
//!   costs a second of CEL, while this looks each port up by binary search.

use cel::common::types::{CelInt, CelList, CelString, CelUInt, INT_TYPE, LIST_TYPE, UINT_TYPE};
use cel::common::value::{CowVal, Val};
use cel::{DeclarationError, Env, ExecutionError};

/// Registers the functions on `env`.
pub fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_member_overload(
        "containing",
        "list.containing(int)",
        LIST_TYPE,
        vec![INT_TYPE],
        containing,
    )?;
    // Scanned ports are unsigned.
    env.add_member_overload(
        "containing",
        "list.containing(uint)",
        LIST_TYPE,
        vec![UINT_TYPE],
        containing,
    )
}

fn error(message: impl ToString) -> ExecutionError {
    ExecutionError::function_error("containing", message)
}

/// An integer field of a range element.
fn bound(element: &dyn Val, field: &str) -> Result<i64, ExecutionError> {
    let value = element
        .as_indexer()
        .ok_or_else(|| error("expected a list of maps with `from` and `to`"))?
        .get(&CelString::from(field))
        .map_err(|_| error(format!("a range without `{field}`")))?;
    bound_value(value.as_ref()).ok_or_else(|| error(format!("`{field}` is not an integer")))
}

/// An int or uint as `i64`.
fn bound_value(value: &dyn Val) -> Option<i64> {
    if let Some(int) = value.downcast_ref::<CelInt>() {
        return Some(*int.inner());
    }
    value
        .downcast_ref::<CelUInt>()
        .and_then(|uint| i64::try_from(*uint.inner()).ok())
}

/// `ranges.containing(port)`. The ranges are meant to be in ascending order without overlap,
/// as facts list them, and are searched by bisection. When bisection finds nothing the list is
/// walked, so a list out of order still gives the range that contains the port; of ranges
/// that overlap, bisection may give only one.
fn containing<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list, port]: [CowVal<'b, 'v>; 2] = args
        .try_into()
        .map_err(|args: Vec<_>| ExecutionError::invalid_argument_count(2, args.len()))?;
    let port = bound_value(port.as_ref()).ok_or_else(|| error("the port must be an integer"))?;
    let list = list.as_ref();
    let size = list
        .as_sizer()
        .map(|s| usize::try_from(*s.size().inner()).unwrap_or(0))
        .ok_or_else(|| error("expected a list"))?;
    let indexer = list.as_indexer().ok_or_else(|| error("expected a list"))?;
    let at = |i: usize| -> Result<CowVal<'_, 'v>, ExecutionError> {
        indexer.get(&CelInt::from(i64::try_from(i).map_err(error)?))
    };
    // The last range starting at or below the port.
    let (mut low, mut high) = (0usize, size);
    while low < high {
        let middle = low + (high - low) / 2;
        if bound(at(middle)?.as_ref(), "from")? <= port {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    if low > 0 {
        let candidate = at(low - 1)?;
        if bound(candidate.as_ref(), "to")? >= port {
            return Ok(CowVal::owned(CelList::from(vec![
                candidate.as_ref().clone_as_boxed(),
            ])));
        }
    }
    let mut found = Vec::new();
    for i in 0..size {
        let element = at(i)?;
        let element = element.as_ref();
        if bound(element, "from")? <= port && port <= bound(element, "to")? {
            found.push(element.clone_as_boxed());
        }
    }
    Ok(CowVal::owned(CelList::from(found)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use cel::{Context, Env, Value};

    fn eval(expression: &str, ranges: serde_json::Value) -> Value {
        let mut env = Env::stdlib();
        env.add_extension(cel::extensions::lists).unwrap();
        super::register(&mut env).unwrap();
        let env = Arc::new(env);
        let program = env.compile(expression).unwrap();
        let mut ctx = Context::with_env(env);
        ctx.add_variable_from_value("ranges", cel::to_value(ranges).unwrap());
        program
            .execute(&ctx)
            .unwrap_or_else(|e| Value::String(Arc::new(e.to_string())))
    }

    fn tos(value: Value) -> Vec<i64> {
        match value {
            Value::List(items) => items
                .iter()
                .map(|item| match item {
                    Value::Map(map) => match map.get(&cel::objects::Key::from("to")) {
                        Some(Value::Int(i)) => *i,
                        Some(Value::UInt(u)) => *u as i64,
                        other => panic!("{other:?}"),
                    },
                    other => panic!("{other:?}"),
                })
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn finds_the_range_of_a_port_in_sorted_and_unsorted_lists() {
        let sorted = serde_json::json!([
            {"from": 0, "to": 21}, {"from": 22, "to": 22}, {"from": 23, "to": 65535}
        ]);
        assert_eq!(tos(eval("ranges.containing(0)", sorted.clone())), [21]);
        assert_eq!(tos(eval("ranges.containing(22)", sorted.clone())), [22]);
        assert_eq!(
            tos(eval("ranges.containing(65535)", sorted.clone())),
            [65535]
        );
        assert_eq!(tos(eval("ranges.containing(22u)", sorted.clone())), [22]);
        assert_eq!(
            tos(eval("ranges.containing(70000)", sorted)),
            Vec::<i64>::new()
        );
        // Out of order and with a gap: the walk finds the range.
        let unsorted = serde_json::json!([
            {"from": 100, "to": 200}, {"from": 0, "to": 9}, {"from": 300, "to": 400}
        ]);
        assert_eq!(tos(eval("ranges.containing(5)", unsorted.clone())), [9]);
        assert_eq!(tos(eval("ranges.containing(150)", unsorted.clone())), [200]);
        assert_eq!(tos(eval("ranges.containing(350)", unsorted.clone())), [400]);
        assert_eq!(
            tos(eval("ranges.containing(50)", unsorted)),
            Vec::<i64>::new()
        );
        assert_eq!(
            tos(eval("ranges.containing(1)", serde_json::json!([]))),
            Vec::<i64>::new()
        );
    }

    #[test]
    fn names_a_list_that_is_not_of_ranges() {
        let Value::String(message) = eval("ranges.containing(1)", serde_json::json!([{"from": 0}]))
        else {
            panic!("expected an error");
        };
        assert!(message.contains("without `to`"), "{message}");
    }
}
