; The Windows installer: gg-agent-<version>-setup.exe (makensis, Debian's
; nsis package). Built by the Windows build (packaging/windows/CMakeLists.txt):
;   makensis -DVERSION=0.1.0 -DBIN_DIR=<build> -DSRC_DIR=<checkout>
;            -DOUT_FILE=<setup.exe> gg-agent.nsi
; Installs the programs under %ProgramFiles%\GeckoGuard Agent; `gg-agent
; install` then registers the service (automatic start, the virtual account
; NT SERVICE\gg-agent with only SeChangeNotifyPrivilege, restart on
; failure), its event-log source and the private %ProgramData% folders. The
; registration lives in one place, gg-agent.exe, so the installer and a
; by-hand `gg-agent.exe install` cannot differ.
; The config under %ProgramData%\GeckoGuard\Agent is written from the
; example only when there is none: an admin's config is never overwritten.
; Silent with /S. The uninstaller stops and removes the service, the event
; source and the programs, and leaves the config and cached verdicts.
Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel admin
ManifestSupportedOS all

!define NAME "GeckoGuard Agent"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\gg-agent"
!define DATA_DIR "$COMMONPROGRAMDATA\GeckoGuard\Agent"

Name "${NAME} ${VERSION}"
OutFile "${OUT_FILE}"
InstallDir "$PROGRAMFILES64\${NAME}"
ShowInstDetails show
ShowUninstDetails show

!include "LogicLib.nsh"
!include "x64.nsh"

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "${NAME} needs 64-bit Windows." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "Install"
  ; An upgrade: the running agent holds its files open.
  nsExec::ExecToLog 'net stop gg-agent'
  Pop $0

  SetOutPath "$INSTDIR"
  File "${BIN_DIR}/service/gg-agent.exe"
  File "${BIN_DIR}/ipc/ggctl/ggctl.exe"
  File "${BIN_DIR}/ipc/client/ggclient.dll"
  File "/oname=config.example.json" "${SRC_DIR}/packaging/windows/config.example.json"
  SetOutPath "$INSTDIR\sdk\include\gg"
  File "${SRC_DIR}/ipc/client/include/gg/client.h"
  File "${SRC_DIR}/ipc/client/include/gg/client.hpp"
  SetOutPath "$INSTDIR\sdk\lib"
  File "${BIN_DIR}/ipc/client/libggclient.dll.a"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; The service, its recovery actions, the event-log source, and the
  ; private %ProgramData% folders (SYSTEM, Administrators and
  ; NT SERVICE\gg-agent only).
  nsExec::ExecToLog '"$INSTDIR\gg-agent.exe" install'
  Pop $0
  ${If} $0 != 0
    MessageBox MB_OK|MB_ICONSTOP "gg-agent install failed (exit $0)." /SD IDOK
    Abort
  ${EndIf}

  ${If} ${FileExists} "${DATA_DIR}\config.json"
    DetailPrint "Keeping the existing ${DATA_DIR}\config.json"
    ; A configured agent (an upgrade) goes back to running.
    nsExec::ExecToLog 'net start gg-agent'
    Pop $0
  ${Else}
    ; The folder's protected DACL is inherited by the new file.
    CopyFiles /SILENT "$INSTDIR\config.example.json" "${DATA_DIR}\config.json"
    DetailPrint "Edit ${DATA_DIR}\config.json, then: sc start gg-agent"
  ${EndIf}

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${NAME}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "GeckoGuard"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  ; Stops the service (bounded wait), deletes it and the event-log source.
  nsExec::ExecToLog '"$INSTDIR\gg-agent.exe" uninstall'
  Pop $0
  Delete "$INSTDIR\gg-agent.exe"
  Delete "$INSTDIR\ggctl.exe"
  Delete "$INSTDIR\ggclient.dll"
  Delete "$INSTDIR\config.example.json"
  Delete "$INSTDIR\sdk\include\gg\client.h"
  Delete "$INSTDIR\sdk\include\gg\client.hpp"
  Delete "$INSTDIR\sdk\lib\libggclient.dll.a"
  RMDir "$INSTDIR\sdk\include\gg"
  RMDir "$INSTDIR\sdk\include"
  RMDir "$INSTDIR\sdk\lib"
  RMDir "$INSTDIR\sdk"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  DetailPrint "The config and cached verdicts stay in ${DATA_DIR}"
SectionEnd
