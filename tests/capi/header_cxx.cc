// header_cxx.cc — cadre.h compiles alone as strict C++ (see CMakeLists.txt for the
// flags), with C linkage for its functions.
#include "cadre/cadre.h"

#include <type_traits>

static_assert(std::is_standard_layout<cadre_sale>::value, "cadre_sale is a plain C struct");
static_assert(std::is_trivially_copyable<cadre_workspace_options>::value, "options are plain C structs");
static_assert(sizeof(cadre_sale) % alignof(cadre_sale) == 0, "rows pack without a gap");
static_assert(std::is_trivially_copyable<cadre_storage>::value, "the storage vtable is a plain C struct");
static_assert(std::is_standard_layout<cadre_storage_document>::value, "storage rows are plain C structs");
static_assert(std::is_standard_layout<cadre_storage_event>::value, "storage rows are plain C structs");
static_assert(std::is_standard_layout<cadre_storage_event_filter>::value, "the scan filter is a plain C struct");

int cadre_header_cxx_probe();

int cadre_header_cxx_probe() {
  cadre_workspace_options workspace_options = CADRE_WORKSPACE_OPTIONS_INIT;
  cadre_put_options put_options = CADRE_PUT_OPTIONS_INIT;
  cadre_sale sale = CADRE_SALE_INIT;
  cadre_storage storage = CADRE_STORAGE_INIT;
  cadre_storage_document document = CADRE_STORAGE_DOCUMENT_INIT;
  cadre_storage_event event = CADRE_STORAGE_EVENT_INIT;
  int (*open)(cadre_workspace**, const char*, const cadre_workspace_options*) = &cadre_workspace_open;
  int (*open_with_storage)(cadre_workspace**, const cadre_storage*, const cadre_workspace_options*) =
      &cadre_workspace_open_with_storage;
  static_cast<void>(open);
  static_cast<void>(open_with_storage);
  return static_cast<int>(workspace_options.struct_size + put_options.struct_size + storage.struct_size +
                          document.struct_size + event.struct_size) +
         sale.kind + CADRE_VERSION_NUMBER + CADRE_OK;
}
