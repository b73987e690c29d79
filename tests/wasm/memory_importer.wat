;; Imports its memory: the importer must see the owner's growth.
(module
  (import "env" "memory" (memory 1))
  (func (export "size") (result i32) (memory.size))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
