# cmake -DOBJ=NAME.bpf.o -DNAME=NAME -DOUT=NAME.objid.h -P bpf_objid.cmake
# NAME.objid.h: BG_OBJID_NAME, the first 16 hex digits of the SHA-256 of
# the BPF object as built.  A name that changes with the object, known at
# build time: user/core/record.c pins its program under it, and hashing
# the embedded object at every `bpfguard run` cost ~50 us.
file(SHA256 ${OBJ} h)
string(SUBSTRING ${h} 0 16 h)
file(WRITE ${OUT}.tmp "/* generated from ${NAME}.bpf.o by cmake/bpf_objid.cmake */\n#define BG_OBJID_${NAME} \"${h}\"\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
