// TeacherDivergence.swift — the retain term that keeps a model predicting what a frozen teacher
// predicts at every position (ELM's soft retain, SOPHON's distill NTR; TAR's retain term).
import Autograd

/// KL(teacher ‖ student) per position, averaged over positions. Both logits are `[..., vocab]` with
/// the same shape; no gradient flows into the teacher.
func divergenceFromTeacher(_ studentLogits: Tensor, teacherLogits: Tensor) -> Tensor {
    let vocab = studentLogits.shape.last ?? 1, rows = studentLogits.count / max(1, vocab)
    let teacher = GradMode.withNoGrad { softmax(reshape(teacherLogits, [rows, vocab])) }   // [rows, vocab]
    return klDivergence(reshape(studentLogits, [rows, vocab]), targets: teacher)
}
