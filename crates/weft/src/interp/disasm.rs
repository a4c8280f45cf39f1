//! A disassembler of translated code, derived from the instruction tables:
//! each instruction's name, operand mode and operands by kind (`isa.rs`),
//! with jump targets as absolute instruction numbers. For the verifier's
//! messages and for reading what the translator made of a function.

use super::code::{CompiledFunc, Op, Operand};
use std::fmt::Write;

/// One line per instruction: `number: name[/mode] operands`.
pub(crate) fn disassemble(f: &CompiledFunc) -> String {
    let mut out = String::new();
    for (at, inst) in f.code.iter().enumerate() {
        let _ = writeln!(out, "{at:5}: {}", instruction(at, inst));
    }
    out
}

/// Instruction `inst`, number `at` of its function.
pub(crate) fn instruction(at: usize, inst: &super::exec::Inst) -> String {
    let op = inst.op();
    let mut s = String::from(op.name());
    match super::exec::mode_of(inst) {
        Some(0) | None => {}
        Some(m) => {
            let _ = write!(s, "/{m}");
        }
    }
    operands(at, &op, &mut s);
    s
}

/// Appends ` field=operand` for each operand of `op`.
fn operands(at: usize, op: &Op, s: &mut String) {
    op.visit_operands(|field, o| {
        s.push(' ');
        if !field.is_empty() {
            s.push_str(field);
            s.push('=');
        }
        let _ = match o {
            Operand::Slot(slot, 1)
            | Operand::CallBase(slot)
            | Operand::Payload(slot)
            | Operand::FarSlot(slot) => write!(s, "s{slot}"),
            Operand::Slot(slot, width) => write!(s, "s{slot}:{width}"),
            Operand::Jump(offset) => match at.checked_add_signed(offset as isize) {
                Some(target) => write!(s, "@{target}"),
                None => write!(s, "@{at}{offset:+}"),
            },
            Operand::Index(_, index) | Operand::BrLen(index) => write!(s, "{index}"),
            Operand::Imm(imm) => write!(s, "{imm:?}"),
        };
    });
}

#[cfg(test)]
mod tests {
    /// Every instruction of a translated function is shown with its
    /// operands, and jumps with their targets.
    #[test]
    fn shows_names_operands_and_targets() {
        let wat = r#"(module (func (param i32) (result i32)
            (loop $l
              (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
              (br_if $l (local.get 0)))
            (local.get 0)))"#;
        let engine = crate::Engine::default();
        let module = crate::Module::new(&engine, wat).expect("a valid module");
        let f = super::super::translate::translate(&module.inner, 0).expect("translated");
        let text = super::disassemble(&f);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), f.code.len(), "{text}");
        assert!(lines[0].starts_with("    0: "), "{text}");
        // The loop's back-edge names a target inside the function.
        let branch = lines
            .iter()
            .find(|l| l.contains("=@"))
            .unwrap_or_else(|| panic!("no jump in\n{text}"));
        let target: usize = branch.split("=@").nth(1).unwrap().trim().parse().unwrap();
        assert!(target < f.code.len(), "{text}");
        // The subtraction is a row of the front end's table, by its name.
        assert!(text.contains("i32.sub"), "{text}");
        // The function ends in a return of slot 0's value.
        assert!(lines.last().unwrap().contains("Ret"), "{text}");
    }
}
