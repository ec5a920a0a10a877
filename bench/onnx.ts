// A one-node ONNX model, encoded in memory (no model file, no protobuf library): what the
// benchmark runs through onnxruntime-web to time one operator of its WebAssembly backend (MLAS).
// The encoding follows onnx.proto: a ModelProto with an opset import and a GraphProto of one
// NodeProto from float tensor input "x" to output "y", both of one dimension of any length.

/** Protobuf wire format: varint and length-delimited fields, which are all this model needs. */
function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  bytes.push(value);
  return bytes;
}
const field = (number: number, wire: number): number[] => varint(number * 8 + wire);
const int = (number: number, value: number): number[] => [...field(number, 0), ...varint(value)];
const bytes = (number: number, payload: number[]): number[] => [...field(number, 2), ...varint(payload.length), ...payload];
const text = (number: number, value: string): number[] => bytes(number, [...new TextEncoder().encode(value)]);

/** A float tensor of `rank` dimensions of any length (ValueInfoProto). */
function floatTensor(name: string, rank: number): number[] {
  const shape = Array.from({ length: rank }, (_, i) => bytes(1, text(2, `d${i}`))).flat(); // TensorShapeProto.dim, each a dim_param
  const tensor = [...int(1, 1), ...bytes(2, shape)]; // TypeProto.Tensor: elem_type FLOAT, shape
  return [...text(1, name), ...bytes(2, bytes(1, tensor))]; // ValueInfoProto: name, type.tensor_type
}

/**
 * The model y = op(x), e.g. onnxModel('Sigmoid'); `opset` as ONNX numbers it; `attributes`:
 * the node's string attributes (e.g. Gelu's approximate: 'tanh'); `rank`: x's and y's (2 for
 * Softmax over rows, which normalises the last axis).
 */
export function onnxModel(op: string, opset = 17, attributes: Record<string, string> = {}, rank = 1): Uint8Array {
  // AttributeProto: name, type STRING (3), s.
  const attributeProtos = Object.entries(attributes).flatMap(([name, value]) => bytes(5, [...text(1, name), ...int(20, 3), ...text(4, value)]));
  const node = [...text(1, 'x'), ...text(2, 'y'), ...text(4, op), ...attributeProtos]; // NodeProto: input, output, op_type, attribute
  const graph = [...bytes(1, node), ...text(2, 'g'), ...bytes(11, floatTensor('x', rank)), ...bytes(12, floatTensor('y', rank))];
  const model = [...int(1, 8), ...bytes(8, int(2, opset)), ...bytes(7, graph)]; // ir_version 8, opset_import, graph
  return Uint8Array.from(model);
}
